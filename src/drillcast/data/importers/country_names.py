"""Country names to ISO 3166-1 alpha-3 codes, for importing other people's tables.

:func:`country_code` maps a country name as people write it (``United States``,
``USA``, ``Korea, Republic of``, ``Côte d'Ivoire``, ``Türkiye``) to the code
drillcast stores (:mod:`drillcast.data.countries`). Names are compared after
:func:`normalise_name`: accents removed (Unicode NFKD), lower case, ``&`` read
as ``and``, apostrophes dropped, a leading or trailing ``the`` dropped, the word
``st`` read as ``saint``, and every space and punctuation mark removed. So
``Cote d'Ivoire``, ``Côte d’Ivoire`` and ``COTE D IVOIRE`` are one name.

The names are pycountry's (the ISO 3166-1 short name, official name and
common name of every current country, and the ISO 3166-3 names of the former
states drillcast stores), plus the variants datasets and the press write
(``UK``, ``Ivory Coast``, ``DPRK``, ``Burma``, MME's and COW's spellings) and
the choices below. ``NAMES`` (normalised name -> code) is built on first use.
Former states map to their ISO 3166-3 codes:

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

import functools
import re
import unicodedata

from drillcast.data import countries

__all__ = ["NAMES", "country_code", "normalise_name"]

# Names pycountry does not give (its ISO name, official name and common name are read from it): the
# variants datasets and the press write, former names, and the choices explained in the module docstring;
# also the names older pycountry releases (22.3) lack: Türkiye (ISO, 2022) and the common names Iran,
# Laos, Syria. code: names separated by "|".
_ALIASES = """
AFG: Islamic Emirate of Afghanistan
ALA: Åland
ARE: UAE | U.A.E. | Emirates
ATF: French Southern and Antarctic Lands
ATG: Antigua
BEN: Dahomey
BES: Caribbean Netherlands | Bonaire
BFA: Burkina | Upper Volta
BIH: Bosnia-Herzegovina | Bosnia Hercegovina | Bosnia and Hercegovina | Bosnia | BiH
BLM: St. Barts
BLR: Byelorussia | Belorussia | Byelorussian SSR
BRN: Brunei
CAF: CAR | Central African Rep.
CCK: Cocos Islands | Keeling Islands
CHN: PRC | China, People's Republic of | Mainland China | China (PRC)
CIV: Ivory Coast
COD: Democratic Republic of the Congo | Democratic Republic of Congo | Congo, Democratic Republic of the | Congo, Democratic Republic of | Congo, Dem. Rep. | DR Congo | D.R. Congo | DRC | Congo-Kinshasa | Congo (Kinshasa)
COG: Republic of Congo | Congo, Republic of the | Congo, Republic of | Congo, Rep. | Congo-Brazzaville | Congo (Brazzaville)
COM: Comoro Islands
CPV: Cape Verde
DEU: Germany, Federal Republic of | West Germany | Germany, West | German Federal Republic | FRG
DOM: Dominican Rep.
EGY: Egypt, Arab Rep.
FLK: Falkland Islands | Falklands | Malvinas
FRO: Faeroe Islands | Faroes
FSM: Micronesia
GBR: UK | U.K. | Great Britain | Britain
GIN: Guinea-Conakry
IRL: Republic of Ireland
IRN: Iran
KAZ: Kazakstan
KGZ: Kirghizia
KHM: Kampuchea
KNA: Saint Christopher and Nevis
KOR: Republic of Korea | Korea, South | Korea (South) | Korea, Rep. | ROK
LAO: Lao PDR | Laos
LBY: Libyan Arab Jamahiriya
LKA: Ceylon
MAC: Macau
MAF: Saint Martin
MDA: Moldavia
MKD: Macedonia | Republic of Macedonia | Former Yugoslav Republic of Macedonia | The Former Yugoslav Republic of Macedonia | Macedonia, FYR | FYROM
MMR: Burma
NLD: Holland
PCN: Pitcairn Islands
PRK: Korea, North | Korea (North) | Korea, Dem. Rep. | DPRK
PSE: Palestine | Palestinian Territories | Palestinian Authority
ROU: Rumania
RUS: Russia
SHN: Saint Helena
SUR: Surinam
SYR: Syria
SWZ: Swaziland
SXM: Sint Maarten
TLS: East Timor
TUR: Turkey | Türkiye | Republic of Türkiye
TWN: Republic of China | Chinese Taipei | ROC
USA: USA | US | U.S. | U.S.A. | America
VAT: Holy See | Vatican | Vatican City | Vatican City State
VCT: Saint Vincent
VIR: United States Virgin Islands | US Virgin Islands
WSM: Western Samoa
YEM: North Yemen | Yemen Arab Republic
SUN: USSR | U.S.S.R. | Soviet Union | Union of Soviet Socialist Republics
DDR: East Germany | Germany, East | GDR
YUG: Yugoslavia | Federal Republic of Yugoslavia | Socialist Federal Republic of Yugoslavia
CSK: Czechoslovakia
YMD: South Yemen | People's Democratic Republic of Yemen | Yemen, People's Republic of | Democratic Yemen
ZAR: Zaire
XKX: Kosovo
"""

_AMBIGUOUS = frozenset({"korea"})
"""Normalised names never mapped, whatever pycountry says (see the module docstring)."""


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


@functools.lru_cache(maxsize=None)
def _names() -> dict[str, str]:
    """Normalised name -> code: pycountry's names first, then :data:`_ALIASES`, which win."""
    import pycountry

    out: dict[str, str] = {}
    clash: set[str] = set()
    records = [*pycountry.countries, *(c for c in pycountry.historic_countries if c.alpha_3 in countries.HISTORICAL)]
    for c in records:
        for attr in ("name", "official_name", "common_name"):
            key = normalise_name(getattr(c, attr, None) or "")
            if key and out.setdefault(key, c.alpha_3) != c.alpha_3:
                clash.add(key)  # two countries share a name in pycountry: leave it unmapped
    for key in clash:
        del out[key]
    ours: dict[str, str] = {}
    for line in _ALIASES.strip().splitlines():
        code, _, names = line.partition(":")
        code = code.strip()
        if not countries.is_code(code):  # a typo in the table above is a bug
            raise RuntimeError(f"country_names: {code} is not a drillcast country code")
        for name in names.split("|"):
            key = normalise_name(name)
            if ours.setdefault(key, code) != code:
                raise RuntimeError(f"country_names: {name!r} maps to both {ours[key]} and {code}")
    out.update(ours)
    return {k: v for k, v in out.items() if k not in _AMBIGUOUS}


def __getattr__(name: str):
    # NAMES is built on first access (PEP 562): pycountry is imported then, not with this module
    if name == "NAMES":
        return _names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    return _names().get(key)
