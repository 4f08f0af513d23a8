"""Country names to ISO 3166-1 alpha-3 codes, for importing other people's tables.

:func:`country_code` maps a country name as people write it (``United States``,
``USA``, ``Korea, Republic of``, ``Côte d'Ivoire``, ``Türkiye``) to the code
drillcast stores (:mod:`drillcast.data.countries`). Names are compared after
:func:`normalise_name`: accents removed (Unicode NFKD), lower case, ``&`` read
as ``and``, apostrophes dropped, a leading or trailing ``the`` dropped, the word
``st`` read as ``saint``, and every space and punctuation mark removed. So
``Cote d'Ivoire``, ``Côte d’Ivoire`` and ``COTE D IVOIRE`` are one name.

Every current code of :data:`drillcast.data.countries.CURRENT` has at least its
English short name here, with the usual variants; historical states map to
their ISO 3166-3 codes:

=============================================  =====
Federal Republic of Germany, West Germany, FRG  DEU
German Democratic Republic, East Germany, GDR   DDR
USSR, Soviet Union                              SUN
Yugoslavia, Federal Republic of Yugoslavia      YUG
Czechoslovakia                                  CSK
Serbia and Montenegro                           SCG
South Yemen, People's Democratic Rep. of Yemen  YMD
Zaire                                           ZAR
Kosovo                                          XKX
=============================================  =====

Deliberate choices
------------------
- ``Russia`` is always RUS, whatever the year. The MME dataset (D'Orazio and
  Galambos) writes the Soviet Union as "Russia" before 1992; drillcast keeps
  MME's coding (RUS) rather than guess, and the MME importer notes every such
  row (see :mod:`drillcast.data.importers.mme`). ``USSR`` and ``Soviet Union`` are SUN.
- ``Germany`` is DEU before and after 1990, as is the Federal Republic.
- ``Congo`` alone is COG (the ISO short name of the Republic of the Congo);
  the Democratic Republic needs its full name, ``DR Congo`` or ``DRC``.
- ``Korea`` alone is ambiguous and is *not* mapped: it is reported as an
  unmapped name for the user to resolve.
- ``Republic of China`` and ``Chinese Taipei`` are TWN; ``China`` and
  ``People's Republic of China`` are CHN.
- ``Macedonia`` is MKD (the state, not the Greek region).

Examples
--------
>>> country_code("Korea, Republic of"), country_code("Côte d'Ivoire"), country_code("Korea")
('KOR', 'CIV', None)
"""

from __future__ import annotations

import re
import unicodedata

from drillcast.data import countries

__all__ = ["NAMES", "country_code", "normalise_name"]

# code: names, one per line segment separated by "|". Keep the ISO short name first.
_TABLE = """
ABW: Aruba
AFG: Afghanistan | Islamic Republic of Afghanistan | Islamic Emirate of Afghanistan
AGO: Angola
AIA: Anguilla
ALA: Aland Islands | Åland
ALB: Albania
AND: Andorra
ARE: United Arab Emirates | UAE | U.A.E. | Emirates
ARG: Argentina
ARM: Armenia
ASM: American Samoa
ATA: Antarctica
ATF: French Southern Territories | French Southern and Antarctic Lands
ATG: Antigua and Barbuda | Antigua
AUS: Australia
AUT: Austria
AZE: Azerbaijan
BDI: Burundi
BEL: Belgium
BEN: Benin | Dahomey
BES: Bonaire, Sint Eustatius and Saba | Caribbean Netherlands | Bonaire
BFA: Burkina Faso | Burkina | Upper Volta
BGD: Bangladesh
BGR: Bulgaria
BHR: Bahrain
BHS: Bahamas | Bahamas, The | Commonwealth of the Bahamas
BIH: Bosnia and Herzegovina | Bosnia-Herzegovina | Bosnia Hercegovina | Bosnia and Hercegovina | Bosnia | BiH
BLM: Saint Barthelemy | St. Barts
BLR: Belarus | Byelorussia | Belorussia | Byelorussian SSR
BLZ: Belize
BMU: Bermuda
BOL: Bolivia | Bolivia (Plurinational State of) | Plurinational State of Bolivia
BRA: Brazil
BRB: Barbados
BRN: Brunei | Brunei Darussalam
BTN: Bhutan
BVT: Bouvet Island
BWA: Botswana
CAF: Central African Republic | CAR | Central African Rep.
CAN: Canada
CCK: Cocos (Keeling) Islands | Cocos Islands | Keeling Islands
CHE: Switzerland
CHL: Chile
CHN: China | People's Republic of China | PRC | China, People's Republic of | Mainland China | China (PRC)
CIV: Côte d'Ivoire | Ivory Coast | Republic of Côte d'Ivoire
CMR: Cameroon
COD: Democratic Republic of the Congo | Democratic Republic of Congo | Congo, Democratic Republic of the | Congo, Democratic Republic of | Congo, Dem. Rep. | DR Congo | D.R. Congo | DRC | Congo-Kinshasa | Congo (Kinshasa)
COG: Congo | Republic of the Congo | Republic of Congo | Congo, Republic of the | Congo, Republic of | Congo, Rep. | Congo-Brazzaville | Congo (Brazzaville)
COK: Cook Islands
COL: Colombia
COM: Comoros | Comoro Islands
CPV: Cape Verde | Cabo Verde
CRI: Costa Rica
CUB: Cuba
CUW: Curaçao
CXR: Christmas Island
CYM: Cayman Islands
CYP: Cyprus | Republic of Cyprus
CZE: Czech Republic | Czechia
DEU: Germany | Federal Republic of Germany | Germany, Federal Republic of | West Germany | Germany, West | German Federal Republic | FRG
DJI: Djibouti
DMA: Dominica
DNK: Denmark
DOM: Dominican Republic | Dominican Rep.
DZA: Algeria
ECU: Ecuador
EGY: Egypt | Arab Republic of Egypt | Egypt, Arab Rep.
ERI: Eritrea
ESH: Western Sahara
ESP: Spain
EST: Estonia
ETH: Ethiopia
FIN: Finland
FJI: Fiji
FLK: Falkland Islands | Falkland Islands (Malvinas) | Falklands | Malvinas
FRA: France
FRO: Faroe Islands | Faeroe Islands | Faroes
FSM: Micronesia | Federated States of Micronesia | Micronesia, Federated States of | Micronesia (Federated States of)
GAB: Gabon
GBR: United Kingdom | UK | U.K. | Great Britain | Britain | United Kingdom of Great Britain and Northern Ireland
GEO: Georgia
GGY: Guernsey
GHA: Ghana
GIB: Gibraltar
GIN: Guinea | Guinea-Conakry
GLP: Guadeloupe
GMB: Gambia | Gambia, The
GNB: Guinea-Bissau
GNQ: Equatorial Guinea
GRC: Greece
GRD: Grenada
GRL: Greenland
GTM: Guatemala
GUF: French Guiana
GUM: Guam
GUY: Guyana
HKG: Hong Kong
HMD: Heard Island and McDonald Islands
HND: Honduras
HRV: Croatia
HTI: Haiti
HUN: Hungary
IDN: Indonesia
IMN: Isle of Man
IND: India
IOT: British Indian Ocean Territory
IRL: Ireland | Republic of Ireland
IRN: Iran | Islamic Republic of Iran | Iran, Islamic Republic of | Iran (Islamic Republic of)
IRQ: Iraq
ISL: Iceland
ISR: Israel
ITA: Italy
JAM: Jamaica
JEY: Jersey
JOR: Jordan
JPN: Japan
KAZ: Kazakhstan | Kazakstan
KEN: Kenya
KGZ: Kyrgyzstan | Kyrgyz Republic | Kirghizia
KHM: Cambodia | Kampuchea
KIR: Kiribati
KNA: Saint Kitts and Nevis | Saint Christopher and Nevis
KOR: South Korea | Republic of Korea | Korea, Republic of | Korea, South | Korea (South) | Korea, Rep. | ROK
KWT: Kuwait
LAO: Laos | Lao PDR | Lao People's Democratic Republic
LBN: Lebanon
LBR: Liberia
LBY: Libya | Libyan Arab Jamahiriya
LCA: Saint Lucia
LIE: Liechtenstein
LKA: Sri Lanka | Ceylon
LSO: Lesotho
LTU: Lithuania
LUX: Luxembourg
LVA: Latvia
MAC: Macao | Macau
MAF: Saint Martin | Saint Martin (French part)
MAR: Morocco
MCO: Monaco
MDA: Moldova | Republic of Moldova | Moldova, Republic of | Moldavia
MDG: Madagascar
MDV: Maldives
MEX: Mexico
MHL: Marshall Islands
MKD: North Macedonia | Macedonia | Republic of North Macedonia | Republic of Macedonia | Former Yugoslav Republic of Macedonia | The Former Yugoslav Republic of Macedonia | Macedonia, FYR | FYROM
MLI: Mali
MLT: Malta
MMR: Myanmar | Burma
MNE: Montenegro
MNG: Mongolia
MNP: Northern Mariana Islands
MOZ: Mozambique
MRT: Mauritania
MSR: Montserrat
MTQ: Martinique
MUS: Mauritius
MWI: Malawi
MYS: Malaysia
MYT: Mayotte
NAM: Namibia
NCL: New Caledonia
NER: Niger
NFK: Norfolk Island
NGA: Nigeria
NIC: Nicaragua
NIU: Niue
NLD: Netherlands | Holland | Kingdom of the Netherlands
NOR: Norway
NPL: Nepal
NRU: Nauru
NZL: New Zealand
OMN: Oman
PAK: Pakistan
PAN: Panama
PCN: Pitcairn | Pitcairn Islands
PER: Peru
PHL: Philippines
PLW: Palau
PNG: Papua New Guinea
POL: Poland
PRI: Puerto Rico
PRK: North Korea | Democratic People's Republic of Korea | Korea, Democratic People's Republic of | Korea, North | Korea (North) | Korea, Dem. Rep. | DPRK
PRT: Portugal
PRY: Paraguay
PSE: Palestine | State of Palestine | Palestine, State of | Palestinian Territories | Palestinian Authority
PYF: French Polynesia
QAT: Qatar
REU: Réunion
ROU: Romania | Rumania
RUS: Russia | Russian Federation
RWA: Rwanda
SAU: Saudi Arabia
SDN: Sudan
SEN: Senegal
SGP: Singapore
SGS: South Georgia and the South Sandwich Islands
SHN: Saint Helena | Saint Helena, Ascension and Tristan da Cunha
SJM: Svalbard and Jan Mayen
SLB: Solomon Islands
SLE: Sierra Leone
SLV: El Salvador
SMR: San Marino
SOM: Somalia
SPM: Saint Pierre and Miquelon
SRB: Serbia | Republic of Serbia
SSD: South Sudan
STP: São Tomé and Príncipe
SUR: Suriname | Surinam
SVK: Slovakia | Slovak Republic
SVN: Slovenia
SWE: Sweden
SWZ: Eswatini | Swaziland
SXM: Sint Maarten | Sint Maarten (Dutch part)
SYC: Seychelles
SYR: Syria | Syrian Arab Republic
TCA: Turks and Caicos Islands
TCD: Chad
TGO: Togo
THA: Thailand
TJK: Tajikistan
TKL: Tokelau
TKM: Turkmenistan
TLS: Timor-Leste | East Timor
TON: Tonga
TTO: Trinidad and Tobago
TUN: Tunisia
TUR: Turkey | Türkiye | Republic of Türkiye
TUV: Tuvalu
TWN: Taiwan | Republic of China | Taiwan, Province of China | Chinese Taipei | ROC
TZA: Tanzania | United Republic of Tanzania | Tanzania, United Republic of
UGA: Uganda
UKR: Ukraine
UMI: United States Minor Outlying Islands
URY: Uruguay
USA: United States | United States of America | USA | US | U.S. | U.S.A. | America
UZB: Uzbekistan
VAT: Holy See | Vatican | Vatican City | Vatican City State
VCT: Saint Vincent and the Grenadines | Saint Vincent
VEN: Venezuela | Venezuela (Bolivarian Republic of) | Bolivarian Republic of Venezuela
VGB: British Virgin Islands | Virgin Islands, British | Virgin Islands (British)
VIR: United States Virgin Islands | US Virgin Islands | Virgin Islands, U.S. | Virgin Islands (U.S.)
VNM: Vietnam | Viet Nam | Socialist Republic of Vietnam
VUT: Vanuatu
WLF: Wallis and Futuna
WSM: Samoa | Western Samoa
YEM: Yemen | Republic of Yemen | North Yemen | Yemen Arab Republic
ZAF: South Africa | Republic of South Africa
ZMB: Zambia
ZWE: Zimbabwe
SUN: USSR | U.S.S.R. | Soviet Union | Union of Soviet Socialist Republics
DDR: German Democratic Republic | East Germany | Germany, East | GDR
YUG: Yugoslavia | Federal Republic of Yugoslavia | Socialist Federal Republic of Yugoslavia
CSK: Czechoslovakia
SCG: Serbia and Montenegro
YMD: South Yemen | People's Democratic Republic of Yemen | Yemen, People's Republic of | Democratic Yemen
ZAR: Zaire
XKX: Kosovo
"""


def normalise_name(name: str) -> str:
    """Return the comparison key of a country name.

    Examples
    --------
    >>> normalise_name("  Côte d’Ivoire "), normalise_name("St. Lucia"), normalise_name("Bahamas, The")
    ('cotedivoire', 'saintlucia', 'bahamas')
    """
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = s.replace("&", " and ")
    s = re.sub(r"['\u2018\u2019\u02bc`]", "", s)  # people's -> peoples, d'ivoire -> divoire
    words = re.findall(r"[a-z0-9]+", s)
    if words and words[0] == "the":
        words = words[1:]
    if words and words[-1] == "the":
        words = words[:-1]
    return "".join("saint" if w == "st" else w for w in words)


def _build() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in _TABLE.strip().splitlines():
        code, _, names = line.partition(":")
        code = code.strip()
        if not countries.is_code(code):  # a typo in the table above is a bug
            raise RuntimeError(f"country_names: {code} is not a drillcast country code")
        for name in names.split("|"):
            key = normalise_name(name)
            if key in out and out[key] != code:
                raise RuntimeError(f"country_names: {name!r} maps to both {out[key]} and {code}")
            out[key] = code
    return out


NAMES: dict[str, str] = _build()
"""Normalised name (see :func:`normalise_name`) -> ISO3 code."""


def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-3 code of a country name, or None if the name is unknown or ambiguous.

    Parameters
    ----------
    name : str
        A country name in English, with or without accents and punctuation.

    Examples
    --------
    >>> country_code("Federal Republic of Germany"), country_code("Türkiye"), country_code("Atlantis")
    ('DEU', 'TUR', None)
    """
    key = normalise_name(name)
    if not key:
        return None
    return NAMES.get(key)
