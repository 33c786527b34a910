"""Countries for the sovereignty register (HDS v2 chapter 7, EXI 28-30). Pure data, no ORM.

- Codes and names: ISO 3166-1 alpha-2, the 249 officially assigned codes, with their English and
  French short names as published by the Debian iso-codes project (file iso_3166-1.json and its
  French catalogue), a few French names shortened to the usual form ("Russie", "Syrie").
- EEA membership: the 27 member states of the European Union plus Iceland, Liechtenstein and
  Norway (EEA Agreement). Some territories have their own ISO code but are part of the Union
  (art. 355 TFEU: the French outermost regions, Saint-Martin, and the Åland Islands): data stored
  there is stored in the EEA, so they count as in the EEA; the overseas countries and territories
  (New Caledonia, French Polynesia...) are not part of the Union and do not.
- Adequacy decisions (GDPR art. 45): the list of the European Commission's page "Adequacy
  decisions" (ADEQUACY_SOURCE), read on ADEQUACY_AS_OF. Two are partial: Canada (commercial
  organisations subject to PIPEDA) and the United States (organisations certified under the
  EU-US Data Privacy Framework): art. 45 covers a transfer there only when the recipient is in
  that scope, so the register asks for the reference that shows it.

When the Commission adopts, amends or withdraws a decision, change ADEQUACY and ADEQUACY_AS_OF
here (tests pin the list, so the change is a reviewed one).
"""

# French names take the typographic apostrophe (U+2019), which ruff would flag everywhere.
# ruff: noqa: RUF001

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils.translation import get_language

EEA_SOURCE = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:21994A0103(01)"
EU_SOURCE = "https://european-union.europa.eu/principles-countries-history/eu-countries_en"
EEA_AS_OF = date(2026, 12, 3)
ADEQUACY_SOURCE = (
    "https://commission.europa.eu/law/law-topic/data-protection/"
    "international-dimension-data-protection/adequacy-decisions_en"
)
ADEQUACY_AS_OF = date(2026, 12, 3)
NAMES_SOURCE = "https://salsa.debian.org/iso-codes-team/iso-codes (iso_3166-1.json)"

EU_MEMBERS: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip
# The EEA Agreement's three EFTA states.
EEA_EFTA_MEMBERS: frozenset[str] = frozenset({"IS", "LI", "NO"})
EEA_MEMBERS: frozenset[str] = EU_MEMBERS | EEA_EFTA_MEMBERS
# Part of a member state and of the Union, with an ISO code of their own (art. 355 TFEU):
# French Guiana, Guadeloupe, Martinique, Réunion, Mayotte, Saint-Martin; Åland (Finland).
EU_TERRITORIES: frozenset[str] = frozenset({"GF", "GP", "MQ", "RE", "YT", "MF", "AX"})


@dataclass(frozen=True)
class Adequacy:
    decided_on: date | None  # the decision in force; None when not recorded here
    # Empty: the whole country. Else the part of it the decision covers, in English and French.
    scope_en: str = ""
    scope_fr: str = ""

    @property
    def partial(self) -> bool:
        return bool(self.scope_en)

    @property
    def scope(self) -> str:
        return self.scope_fr if _french() else self.scope_en


ADEQUACY: dict[str, Adequacy] = {
    "AD": Adequacy(date(2010, 10, 19)),
    "AR": Adequacy(date(2003, 6, 30)),
    "CA": Adequacy(
        date(2001, 12, 20),
        "commercial organisations subject to PIPEDA",
        "organisations commerciales soumises à la loi PIPEDA",
    ),
    "CH": Adequacy(date(2000, 7, 26)),
    "FO": Adequacy(date(2010, 3, 5)),
    "GB": Adequacy(date(2021, 6, 28)),
    "GG": Adequacy(date(2003, 11, 21)),
    "IL": Adequacy(date(2011, 1, 31)),
    "IM": Adequacy(date(2004, 4, 28)),
    "JE": Adequacy(date(2008, 5, 8)),
    "JP": Adequacy(date(2019, 1, 23)),
    "KR": Adequacy(date(2021, 12, 17)),
    "NZ": Adequacy(date(2012, 12, 19)),
    "US": Adequacy(
        date(2023, 7, 10),
        "organisations certified under the EU-US Data Privacy Framework",
        "organisations certifiées au titre du cadre de protection des données UE–États-Unis",
    ),
    "UY": Adequacy(date(2012, 8, 21)),
}


@dataclass(frozen=True)
class Country:
    code: str
    name_en: str
    name_fr: str

    @property
    def name(self) -> str:
        """The name in the active language (French by default)."""
        return self.name_fr if _french() else self.name_en

    @property
    def in_eea(self) -> bool:
        return self.code in EEA_MEMBERS or self.code in EU_TERRITORIES

    @property
    def adequacy(self) -> Adequacy | None:
        return ADEQUACY.get(self.code)


def _french() -> bool:
    return (get_language() or "fr").startswith("fr")


_NAMES: tuple[tuple[str, str, str], ...] = (
    ("AD", "Andorra", "Andorre"),
    ("AE", "United Arab Emirates", "Émirats arabes unis"),
    ("AF", "Afghanistan", "Afghanistan"),
    ("AG", "Antigua and Barbuda", "Antigua-et-Barbuda"),
    ("AI", "Anguilla", "Anguilla"),
    ("AL", "Albania", "Albanie"),
    ("AM", "Armenia", "Arménie"),
    ("AO", "Angola", "Angola"),
    ("AQ", "Antarctica", "Antarctique"),
    ("AR", "Argentina", "Argentine"),
    ("AS", "American Samoa", "Samoa américaines"),
    ("AT", "Austria", "Autriche"),
    ("AU", "Australia", "Australie"),
    ("AW", "Aruba", "Aruba"),
    ("AX", "Åland Islands", "Åland, Îles"),
    ("AZ", "Azerbaijan", "Azerbaïdjan"),
    ("BA", "Bosnia and Herzegovina", "Bosnie-Herzégovine"),
    ("BB", "Barbados", "Barbade"),
    ("BD", "Bangladesh", "Bangladesh"),
    ("BE", "Belgium", "Belgique"),
    ("BF", "Burkina Faso", "Burkina Faso"),
    ("BG", "Bulgaria", "Bulgarie"),
    ("BH", "Bahrain", "Bahreïn"),
    ("BI", "Burundi", "Burundi"),
    ("BJ", "Benin", "Bénin"),
    ("BL", "Saint Barthélemy", "Saint-Barthélemy"),
    ("BM", "Bermuda", "Bermudes"),
    ("BN", "Brunei Darussalam", "Brunéi Darussalam"),
    ("BO", "Bolivia", "Bolivie"),
    ("BQ", "Bonaire, Sint Eustatius and Saba", "Bonaire, Saint-Eustache et Saba"),
    ("BR", "Brazil", "Brésil"),
    ("BS", "Bahamas", "Bahamas"),
    ("BT", "Bhutan", "Bhoutan"),
    ("BV", "Bouvet Island", "île Bouvet"),
    ("BW", "Botswana", "Botswana"),
    ("BY", "Belarus", "Bélarus"),
    ("BZ", "Belize", "Belize"),
    ("CA", "Canada", "Canada"),
    ("CC", "Cocos (Keeling) Islands", "Cocos (Keeling), Îles"),
    ("CD", "Congo, The Democratic Republic of the", "République démocratique du Congo"),
    ("CF", "Central African Republic", "République centrafricaine"),
    ("CG", "Congo", "République du Congo"),
    ("CH", "Switzerland", "Suisse"),
    ("CI", "Côte d'Ivoire", "Côte d’Ivoire"),
    ("CK", "Cook Islands", "îles Cook"),
    ("CL", "Chile", "Chili"),
    ("CM", "Cameroon", "Cameroun"),
    ("CN", "China", "Chine"),
    ("CO", "Colombia", "Colombie"),
    ("CR", "Costa Rica", "Costa Rica"),
    ("CU", "Cuba", "Cuba"),
    ("CV", "Cabo Verde", "Cap-Vert"),
    ("CW", "Curaçao", "Curaçao"),
    ("CX", "Christmas Island", "Christmas, Île"),
    ("CY", "Cyprus", "Chypre"),
    ("CZ", "Czechia", "Tchéquie"),
    ("DE", "Germany", "Allemagne"),
    ("DJ", "Djibouti", "Djibouti"),
    ("DK", "Denmark", "Danemark"),
    ("DM", "Dominica", "Dominique"),
    ("DO", "Dominican Republic", "République dominicaine"),
    ("DZ", "Algeria", "Algérie"),
    ("EC", "Ecuador", "Équateur"),
    ("EE", "Estonia", "Estonie"),
    ("EG", "Egypt", "Égypte"),
    ("EH", "Western Sahara", "Sahara occidental"),
    ("ER", "Eritrea", "Érythrée"),
    ("ES", "Spain", "Espagne"),
    ("ET", "Ethiopia", "Éthiopie"),
    ("FI", "Finland", "Finlande"),
    ("FJ", "Fiji", "Fidji"),
    ("FK", "Falkland Islands", "Îles Malouines (Falkland)"),
    ("FM", "Micronesia", "Micronésie"),
    ("FO", "Faroe Islands", "îles Féroé"),
    ("FR", "France", "France"),
    ("GA", "Gabon", "Gabon"),
    ("GB", "United Kingdom", "Royaume-Uni"),
    ("GD", "Grenada", "Grenade"),
    ("GE", "Georgia", "Géorgie"),
    ("GF", "French Guiana", "Guyane française"),
    ("GG", "Guernsey", "Guernesey"),
    ("GH", "Ghana", "Ghana"),
    ("GI", "Gibraltar", "Gibraltar"),
    ("GL", "Greenland", "Groënland"),
    ("GM", "Gambia", "Gambie"),
    ("GN", "Guinea", "Guinée"),
    ("GP", "Guadeloupe", "Guadeloupe"),
    ("GQ", "Equatorial Guinea", "Guinée Équatoriale"),
    ("GR", "Greece", "Grèce"),
    (
        "GS",
        "South Georgia and the South Sandwich Islands",
        "Géorgie du Sud et les îles Sandwich du Sud",
    ),
    ("GT", "Guatemala", "Guatemala"),
    ("GU", "Guam", "Guam"),
    ("GW", "Guinea-Bissau", "Guinée-Bissau"),
    ("GY", "Guyana", "Guyana"),
    ("HK", "Hong Kong", "Hong Kong"),
    ("HM", "Heard Island and McDonald Islands", "Îles Heard-et-MacDonald"),
    ("HN", "Honduras", "Honduras"),
    ("HR", "Croatia", "Croatie"),
    ("HT", "Haiti", "Haïti"),
    ("HU", "Hungary", "Hongrie"),
    ("ID", "Indonesia", "Indonésie"),
    ("IE", "Ireland", "Irlande"),
    ("IL", "Israel", "Israël"),
    ("IM", "Isle of Man", "Île de Man"),
    ("IN", "India", "Inde"),
    ("IO", "British Indian Ocean Territory", "Territoire britannique de l’océan Indien"),
    ("IQ", "Iraq", "Irak"),
    ("IR", "Iran", "Iran"),
    ("IS", "Iceland", "Islande"),
    ("IT", "Italy", "Italie"),
    ("JE", "Jersey", "Jersey"),
    ("JM", "Jamaica", "Jamaïque"),
    ("JO", "Jordan", "Jordanie"),
    ("JP", "Japan", "Japon"),
    ("KE", "Kenya", "Kenya"),
    ("KG", "Kyrgyzstan", "Kirghizistan"),
    ("KH", "Cambodia", "Cambodge"),
    ("KI", "Kiribati", "Kiribati"),
    ("KM", "Comoros", "Comores"),
    ("KN", "Saint Kitts and Nevis", "Saint-Christophe-et-Niévès"),
    ("KP", "North Korea", "Corée du Nord"),
    ("KR", "South Korea", "Corée du Sud"),
    ("KW", "Kuwait", "Koweït"),
    ("KY", "Cayman Islands", "îles Caïmans"),
    ("KZ", "Kazakhstan", "Kazakhstan"),
    ("LA", "Laos", "Laos"),
    ("LB", "Lebanon", "Liban"),
    ("LC", "Saint Lucia", "Sainte-Lucie"),
    ("LI", "Liechtenstein", "Liechtenstein"),
    ("LK", "Sri Lanka", "Sri Lanka"),
    ("LR", "Liberia", "Libéria"),
    ("LS", "Lesotho", "Lesotho"),
    ("LT", "Lithuania", "Lituanie"),
    ("LU", "Luxembourg", "Luxembourg"),
    ("LV", "Latvia", "Lettonie"),
    ("LY", "Libya", "Libye"),
    ("MA", "Morocco", "Maroc"),
    ("MC", "Monaco", "Monaco"),
    ("MD", "Moldova", "Moldavie"),
    ("ME", "Montenegro", "Monténégro"),
    ("MF", "Saint Martin (French part)", "Saint-Martin (partie française)"),
    ("MG", "Madagascar", "Madagascar"),
    ("MH", "Marshall Islands", "Îles Marshall"),
    ("MK", "North Macedonia", "Macédoine du Nord"),
    ("ML", "Mali", "Mali"),
    ("MM", "Myanmar", "Birmanie"),
    ("MN", "Mongolia", "Mongolie"),
    ("MO", "Macao", "Macau"),
    ("MP", "Northern Mariana Islands", "Îles Mariannes du Nord"),
    ("MQ", "Martinique", "Martinique"),
    ("MR", "Mauritania", "Mauritanie"),
    ("MS", "Montserrat", "Montserrat"),
    ("MT", "Malta", "Malte"),
    ("MU", "Mauritius", "Maurice"),
    ("MV", "Maldives", "Maldives"),
    ("MW", "Malawi", "Malawi"),
    ("MX", "Mexico", "Mexique"),
    ("MY", "Malaysia", "Malaisie"),
    ("MZ", "Mozambique", "Mozambique"),
    ("NA", "Namibia", "Namibie"),
    ("NC", "New Caledonia", "Nouvelle-Calédonie"),
    ("NE", "Niger", "Niger"),
    ("NF", "Norfolk Island", "île Norfolk"),
    ("NG", "Nigeria", "Nigeria"),
    ("NI", "Nicaragua", "Nicaragua"),
    ("NL", "Netherlands", "Pays-Bas"),
    ("NO", "Norway", "Norvège"),
    ("NP", "Nepal", "Népal"),
    ("NR", "Nauru", "Nauru"),
    ("NU", "Niue", "Nioue"),
    ("NZ", "New Zealand", "Nouvelle-Zélande"),
    ("OM", "Oman", "Oman"),
    ("PA", "Panama", "Panama"),
    ("PE", "Peru", "Pérou"),
    ("PF", "French Polynesia", "Polynésie française"),
    ("PG", "Papua New Guinea", "Papouasie-Nouvelle-Guinée"),
    ("PH", "Philippines", "Philippines"),
    ("PK", "Pakistan", "Pakistan"),
    ("PL", "Poland", "Pologne"),
    ("PM", "Saint Pierre and Miquelon", "Saint-Pierre-et-Miquelon"),
    ("PN", "Pitcairn", "Îles Pitcairn"),
    ("PR", "Puerto Rico", "Porto Rico"),
    ("PS", "Palestine", "Palestine"),
    ("PT", "Portugal", "Portugal"),
    ("PW", "Palau", "Palaos"),
    ("PY", "Paraguay", "Paraguay"),
    ("QA", "Qatar", "Qatar"),
    ("RE", "Réunion", "Réunion, Île de la"),
    ("RO", "Romania", "Roumanie"),
    ("RS", "Serbia", "Serbie"),
    ("RU", "Russia", "Russie"),
    ("RW", "Rwanda", "Rwanda"),
    ("SA", "Saudi Arabia", "Arabie saoudite"),
    ("SB", "Solomon Islands", "Salomon, Îles"),
    ("SC", "Seychelles", "Seychelles"),
    ("SD", "Sudan", "Soudan"),
    ("SE", "Sweden", "Suède"),
    ("SG", "Singapore", "Singapour"),
    (
        "SH",
        "Saint Helena, Ascension and Tristan da Cunha",
        "Sainte-Hélène, Ascension et Tristan da Cunha",
    ),
    ("SI", "Slovenia", "Slovénie"),
    ("SJ", "Svalbard and Jan Mayen", "Svalbard et île Jan Mayen"),
    ("SK", "Slovakia", "Slovaquie"),
    ("SL", "Sierra Leone", "Sierra Leone"),
    ("SM", "San Marino", "Saint-Marin"),
    ("SN", "Senegal", "Sénégal"),
    ("SO", "Somalia", "Somalie"),
    ("SR", "Suriname", "Surinam"),
    ("SS", "South Sudan", "Soudan du Sud"),
    ("ST", "Sao Tome and Principe", "Sao Tomé-et-Principe"),
    ("SV", "El Salvador", "Salvador"),
    ("SX", "Sint Maarten (Dutch part)", "Saint-Martin (partie néerlandaise)"),
    ("SY", "Syria", "Syrie"),
    ("SZ", "Eswatini", "Eswatini"),
    ("TC", "Turks and Caicos Islands", "îles Turques-et-Caïques"),
    ("TD", "Chad", "Tchad"),
    ("TF", "French Southern Territories", "Terres australes françaises"),
    ("TG", "Togo", "Togo"),
    ("TH", "Thailand", "Thaïlande"),
    ("TJ", "Tajikistan", "Tadjikistan"),
    ("TK", "Tokelau", "Tokelau"),
    ("TL", "Timor-Leste", "Timor oriental"),
    ("TM", "Turkmenistan", "Turkménistan"),
    ("TN", "Tunisia", "Tunisie"),
    ("TO", "Tonga", "Tonga"),
    ("TR", "Türkiye", "Turquie"),
    ("TT", "Trinidad and Tobago", "Trinité-et-Tobago"),
    ("TV", "Tuvalu", "Tuvalu"),
    ("TW", "Taiwan", "Taïwan"),
    ("TZ", "Tanzania", "Tanzanie"),
    ("UA", "Ukraine", "Ukraine"),
    ("UG", "Uganda", "Ouganda"),
    ("UM", "United States Minor Outlying Islands", "Îles mineures éloignées des États-Unis"),
    ("US", "United States", "États-Unis"),
    ("UY", "Uruguay", "Uruguay"),
    ("UZ", "Uzbekistan", "Ouzbékistan"),
    ("VA", "Holy See (Vatican)", "Saint-Siège (Vatican)"),
    ("VC", "Saint Vincent and the Grenadines", "Saint-Vincent-et-les-Grenadines"),
    ("VE", "Venezuela", "Venezuela"),
    ("VG", "Virgin Islands, British", "Îles Vierges britanniques"),
    ("VI", "Virgin Islands, U.S.", "Îles Vierges, États-Unis"),
    ("VN", "Vietnam", "Viêt Nam"),
    ("VU", "Vanuatu", "Vanuatu"),
    ("WF", "Wallis and Futuna", "Wallis et Futuna"),
    ("WS", "Samoa", "Samoa"),
    ("YE", "Yemen", "Yémen"),
    ("YT", "Mayotte", "Mayotte"),
    ("ZA", "South Africa", "Afrique du Sud"),
    ("ZM", "Zambia", "Zambie"),
    ("ZW", "Zimbabwe", "Zimbabwe"),
)

COUNTRIES: tuple[Country, ...] = tuple(Country(*row) for row in _NAMES)
COUNTRIES_BY_CODE: dict[str, Country] = {country.code: country for country in COUNTRIES}


def country_of(code: str) -> Country | None:
    """The country of an ISO 3166-1 alpha-2 code (any case, spaces ignored), or None."""
    return COUNTRIES_BY_CODE.get(code.strip().upper()) if isinstance(code, str) else None


def country_name(code: str) -> str:
    """The localised name of a code; the code itself when unknown (an old row, a withdrawn code)."""
    country = country_of(code)
    return country.name if country else code


def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in the active language, for a form's select."""
    return sorted(((c.code, c.name) for c in COUNTRIES), key=lambda pair: _sort_key(pair[1]))


def _sort_key(name: str) -> str:
    # "Émirats" sorts with the E's, not after "Zimbabwe".
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
