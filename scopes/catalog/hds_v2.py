"""HDS certification référentiel, version 2 (arrêté of 26 April 2024, published 16 May 2024).

Source of the facts: /work/shared/DOMAIN.md (chapters 4 to 7, requirements EXI 01 to EXI 31).
The requirement IDs are the official ones; every title and summary is written by us, in our own
words (the référentiel's wording is not reproduced). Chapter 8 (the "présentation des garanties"
table) has no requirement ID of its own: EXI 01 and EXI 31 refer to it.
"""

from __future__ import annotations

from datetime import date

from scopes.catalog import AppliesWhen, FrameworkData, NodeData

FRAMEWORK = FrameworkData(
    code="hds",
    version="2",
    urn="urn:hdsready:framework:hds-v2",
    name_fr="Référentiel de certification HDS v2",
    name_en="HDS certification référentiel v2",
    description_fr=(
        "Exigences que doit satisfaire un hébergeur de données de santé à caractère personnel "
        "pour être certifié HDS, dans la version 2 du référentiel de l'ANS, approuvée par "
        "l'arrêté du 26 avril 2024 publié le 16 mai 2024. Elles complètent un SMSI certifié "
        "ISO/IEC 27001:2022 et portent sur le SMSI, les contrats clients et la souveraineté."
    ),
    description_en=(
        "What a host of personal health data must meet to be HDS certified, under version 2 of "
        "the ANS référentiel, approved by the arrêté of 26 April 2024 published on 16 May 2024. "
        "The requirements add to an ISO/IEC 27001:2022 certified ISMS and cover the ISMS, client "
        "contracts and data sovereignty."
    ),
    provider="Agence du Numérique en Santé",
    published=date(2024, 5, 16),
)

NODES: tuple[NodeData, ...] = (
    # Chapter 4: conditions of certification.
    NodeData(
        ref_id="CH4",
        parent_ref=None,
        assessable=False,
        name_fr="Chapitre 4 - Conditions de la certification",
        name_en="Chapter 4 - Conditions of certification",
        summary_fr="Ce qu'il faut réunir pour obtenir le certificat HDS.",
        summary_en="What a host needs to obtain the HDS certificate.",
        group="4",
    ),
    NodeData(
        ref_id="EXI 01",
        parent_ref="CH4",
        assessable=True,
        name_fr="Conditions d'obtention de la certification HDS",
        name_en="Prerequisites for HDS certification",
        summary_fr=(
            "L'hébergeur dispose d'un SMSI certifié ISO/IEC 27001 dont le périmètre couvre "
            "toutes ses activités d'hébergement de données de santé, et il satisfait en plus "
            "aux exigences des chapitres 5 à 7. Il remet à ses clients le tableau de présentation "
            "des garanties décrit au chapitre 8."
        ),
        summary_en=(
            "The host runs an ISO/IEC 27001 certified ISMS whose scope covers all of its "
            "health-data hosting activities, and also meets the requirements of chapters 5 to 7. "
            "It gives its clients the guarantees table described in chapter 8."
        ),
        group="4",
    ),
    # Chapter 5: complements to the ISMS.
    NodeData(
        ref_id="CH5",
        parent_ref=None,
        assessable=False,
        name_fr="Chapitre 5 - Compléments au SMSI",
        name_en="Chapter 5 - Additions to the ISMS",
        summary_fr="Exigences HDS qui s'ajoutent au SMSI ISO/IEC 27001 de l'hébergeur.",
        summary_en="HDS requirements added to the host's ISO/IEC 27001 ISMS.",
        group="5",
    ),
    NodeData(
        ref_id="EXI 02",
        parent_ref="CH5",
        assessable=True,
        name_fr="Protection des données de santé dans le contexte du SMSI",
        name_en="Health-data protection in the ISMS context",
        summary_fr=(
            "Dans l'analyse des enjeux internes et externes du SMSI, l'hébergeur intègre sa "
            "mission : protéger les données de santé que ses clients lui confient."
        ),
        summary_en=(
            "When analyzing the internal and external issues of its ISMS, the host includes its "
            "core mission: protecting the health data its clients entrust to it."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 03",
        parent_ref="CH5",
        assessable=True,
        name_fr="Cadre juridique parmi les exigences des parties intéressées",
        name_en="Legal framework among interested-party requirements",
        summary_fr=(
            "Les obligations légales et réglementaires relatives à la protection des données de "
            "santé (Code de la santé publique, RGPD...) figurent parmi les exigences des parties "
            "intéressées prises en compte par le SMSI."
        ),
        summary_en=(
            "The laws and regulations on health-data protection (French public health code, "
            "GDPR...) are listed among the interested-party requirements the ISMS takes into "
            "account."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 04",
        parent_ref="CH5",
        assessable=True,
        name_fr="Périmètre du SMSI couvrant tous les traitements de données de santé",
        name_en="ISMS scope covering all health-data processing",
        summary_fr=(
            "Le domaine d'application du SMSI englobe chaque traitement de données de santé "
            "réalisé par l'hébergeur et tous les moyens et processus qui y concourent, y compris "
            "les sauvegardes et le transport de supports physiques."
        ),
        summary_en=(
            "The ISMS scope includes every processing of health data the host performs and all "
            "the means and processes involved, backups and the transport of physical media "
            "included."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 05",
        parent_ref="CH5",
        assessable=True,
        name_fr="Familles de risques à couvrir dans l'appréciation des risques",
        name_en="Risk families the risk assessment must cover",
        summary_fr=(
            "L'appréciation des risques examine au minimum les huit familles d'événements A à H "
            "du référentiel : pannes des supports, perte de maîtrise des supports, atteinte aux "
            "flux, défaillance de la gestion des accès, interventions mal maîtrisées, usages "
            "imprévus, continuité non tenue et exposition à des lois extra-européennes."
        ),
        summary_en=(
            "The risk assessment considers at least the eight event families A to H of the "
            "référentiel: media failure, loss of control over media, compromised data flows, "
            "failed access management, poorly controlled interventions, unintended use, broken "
            "continuity commitments and exposure to non-European laws."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 06",
        parent_ref="CH5",
        assessable=True,
        name_fr="Maîtrise des mesures de sécurité des sous-traitants",
        name_en="Control over subcontractors' security measures",
        summary_fr=(
            "Lorsqu'il fait appel à des sous-traitants, l'hébergeur garde la maîtrise des "
            "changements apportés aux mesures techniques et organisationnelles qu'ils appliquent "
            "pour traiter les risques identifiés."
        ),
        summary_en=(
            "When it uses subcontractors, the host keeps control over changes to the technical "
            "and organizational measures they apply to treat the identified risks."
        ),
        applies_when=AppliesWhen.SUBCONTRACTING,
        group="5",
    ),
    NodeData(
        ref_id="EXI 07",
        parent_ref="CH5",
        assessable=True,
        name_fr="Interfaces clients et support de premier niveau en français",
        name_en="Client interfaces and first-level support in French",
        summary_fr=(
            "Pour limiter les erreurs d'utilisation, les interfaces proposées aux clients et le "
            "support de premier niveau sont disponibles au moins en français."
        ),
        summary_en=(
            "To limit mistakes in use, the interfaces offered to clients and the first-level "
            "support are available at least in French."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 08",
        parent_ref="CH5",
        assessable=True,
        name_fr="Déclaration d'applicabilité disponible en français",
        name_en="Statement of Applicability available in French",
        summary_fr=(
            "L'hébergeur peut remettre aux auditeurs qui la demandent une version française de "
            "sa déclaration d'applicabilité (DdA)."
        ),
        summary_en=(
            "The host can hand auditors who ask for it a French version of its Statement of "
            "Applicability (SoA)."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 09",
        parent_ref="CH5",
        assessable=True,
        name_fr="Objectifs de sécurité intégrant les données de santé et le RGPD",
        name_en="Security objectives covering health data and the GDPR",
        summary_fr=(
            "Les objectifs de sécurité de l'information du SMSI incluent explicitement la "
            "protection des données de santé confiées par les clients et le respect des "
            "obligations du RGPD."
        ),
        summary_en=(
            "The ISMS information security objectives explicitly include protecting the health "
            "data entrusted by clients and meeting GDPR obligations."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 10",
        parent_ref="CH5",
        assessable=True,
        name_fr="Sensibilisation du personnel à la criticité des données de santé",
        name_en="Staff awareness of how critical health data is",
        summary_fr=(
            "Le personnel de l'hébergeur, comme celui de ses sous-traitants, est sensibilisé aux "
            "enjeux de disponibilité, d'intégrité et de confidentialité propres aux données de "
            "santé hébergées."
        ),
        summary_en=(
            "The host's staff, and its subcontractors' staff, are made aware of what is at stake "
            "for the availability, integrity and confidentiality of the hosted health data."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 11",
        parent_ref="CH5",
        assessable=True,
        name_fr="Points de contact des clients et professionnel de santé désigné",
        name_en="Client contacts and designated health professional",
        summary_fr=(
            "L'hébergeur tient à jour, pour chaque client, un point de contact capable de lui "
            "désigner un professionnel de santé habilité lorsque l'accès aux données l'exige. "
            "Il peut remettre cette liste sans délai à l'autorité compétente, notamment en cas "
            "de suspension ou de retrait du certificat."
        ),
        summary_en=(
            "For each client, the host keeps an up-to-date contact able to name an authorized "
            "health professional when access to the data requires one. The host can send this "
            "list to the competent authority at once, in particular if its certificate is "
            "suspended or withdrawn."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 12",
        parent_ref="CH5",
        assessable=True,
        name_fr="Remise des certificats HDS aux clients",
        name_en="HDS certificates given to clients",
        summary_fr=(
            "L'hébergeur fournit à ses clients une copie de son certificat HDS, ainsi que les "
            "certificats HDS des sous-traitants qui participent à l'hébergement."
        ),
        summary_en=(
            "The host gives its clients a copy of its HDS certificate, and the HDS certificates "
            "of the subcontractors that take part in the hosting."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 13",
        parent_ref="CH5",
        assessable=True,
        name_fr="Répartition des responsabilités de sécurité avec le client",
        name_en="Split of security responsibilities with the client",
        summary_fr=(
            "L'hébergeur définit, planifie et contrôle la part de chaque responsabilité de "
            "sécurité de l'information qui lui revient et celle qui revient au client, par "
            "exemple au moyen d'une matrice de responsabilités."
        ),
        summary_en=(
            "The host defines, plans and checks which information security responsibilities are "
            "its own and which belong to the client, for instance in a responsibility matrix."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 14",
        parent_ref="CH5",
        assessable=True,
        name_fr="Procédure en cas de perte de certification d'un sous-traitant",
        name_en="Procedure if a certified subcontractor loses its certification",
        summary_fr=(
            "Si un sous-traitant certifié assure tout ou partie de l'hébergement, l'hébergeur "
            "dispose d'une procédure pour faire face à la suspension ou au retrait du certificat "
            "de ce sous-traitant."
        ),
        summary_en=(
            "When a certified subcontractor performs all or part of the hosting, the host has a "
            "procedure to deal with that subcontractor's certificate being suspended or withdrawn."
        ),
        applies_when=AppliesWhen.SUBCONTRACTING,
        group="5",
    ),
    NodeData(
        ref_id="EXI 15",
        parent_ref="CH5",
        assessable=True,
        name_fr="Droits de vérification du client : audits et traces d'accès",
        name_en="Client verification rights: audits and access logs",
        summary_fr=(
            "Le client peut auditer ou faire auditer les ressources qui lui sont dédiées, obtenir "
            "la synthèse d'un audit technique indépendant de moins de trois ans sur les "
            "ressources mutualisées, consulter les traces d'accès à ses données et prendre "
            "connaissance du dernier rapport d'audit de certification HDS."
        ),
        summary_en=(
            "The client may audit, or have audited, the resources dedicated to it, obtain the "
            "executive summary of an independent technical audit under three years old on shared "
            "resources, consult the access logs on its data and read the latest HDS "
            "certification audit report."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 16",
        parent_ref="CH5",
        assessable=True,
        name_fr="Audits internes portant sur le référentiel HDS et les traces d'accès",
        name_en="Internal audits covering HDS and access logs",
        summary_fr=(
            "Le programme d'audit interne vérifie que le SMSI est conforme au référentiel HDS et "
            "efficace, et comprend un audit des traces d'accès du personnel aux données de santé "
            "et aux systèmes qui les traitent."
        ),
        summary_en=(
            "The internal audit program checks that the ISMS conforms to the HDS référentiel "
            "and works, and includes an audit of staff access logs to health data and to the "
            "systems that process it."
        ),
        group="5",
    ),
    # Chapter 6: client contract clauses (art. R.1111-11 of the Code de la santé publique).
    NodeData(
        ref_id="CH6",
        parent_ref=None,
        assessable=False,
        name_fr="Chapitre 6 - Clauses du contrat d'hébergement",
        name_en="Chapter 6 - Hosting contract clauses",
        summary_fr=(
            "Clauses que le contrat avec chaque client doit contenir (art. R.1111-11 du Code de "
            "la santé publique)."
        ),
        summary_en=(
            "Clauses every client contract must contain (art. R.1111-11 of the French public "
            "health code)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 17",
        parent_ref="CH6",
        assessable=True,
        name_fr="Périmètre et dates du certificat mentionnés au contrat",
        name_en="Certificate scope and dates stated in the contract",
        summary_fr=(
            "Le contrat d'hébergement indique le périmètre du certificat HDS de l'hébergeur ainsi "
            "que ses dates de délivrance et de renouvellement (R.1111-11, 1°)."
        ),
        summary_en=(
            "The hosting contract states the scope of the host's HDS certificate and its issue "
            "and renewal dates (R.1111-11, 1°)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 18",
        parent_ref="CH6",
        assessable=True,
        name_fr="Description des prestations et des résultats attendus",
        name_en="Description of services and expected results",
        summary_fr=(
            "Le contrat décrit les services fournis et les résultats attendus, notamment pour "
            "assurer la disponibilité, l'intégrité, la confidentialité et l'auditabilité des "
            "données hébergées (R.1111-11, 2°)."
        ),
        summary_en=(
            "The contract describes the services provided and the expected results, in "
            "particular to ensure the availability, integrity, confidentiality and auditability "
            "of the hosted data (R.1111-11, 2°)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 19",
        parent_ref="CH6",
        assessable=True,
        name_fr="Droits des personnes et signalement des violations de données",
        name_en="Data-subject rights and breach notification",
        summary_fr=(
            "Le contrat précise comment s'exercent les droits des personnes concernées (accès, "
            "rectification, effacement, portabilité...) et comment l'hébergeur signale au "
            "responsable de traitement une violation de données personnelles (R.1111-11, 4°)."
        ),
        summary_en=(
            "The contract explains how data subjects exercise their rights (access, "
            "rectification, erasure, portability...) and how the host notifies the controller of "
            "a personal data breach (R.1111-11, 4°)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 20",
        parent_ref="CH6",
        assessable=True,
        name_fr="Référent du client pour les incidents",
        name_en="Client referent for incidents",
        summary_fr=(
            "Le contrat désigne, côté client, le référent à contacter pour traiter les incidents "
            "qui touchent les données de santé hébergées (R.1111-11, 5°)."
        ),
        summary_en=(
            "The contract names the client-side referent to contact when handling incidents that "
            "affect the hosted health data (R.1111-11, 5°)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 21",
        parent_ref="CH6",
        assessable=True,
        name_fr="Indicateurs de qualité, niveaux de service et pénalités",
        name_en="Quality indicators, service levels and penalties",
        summary_fr=(
            "Le contrat fixe les indicateurs de qualité et de performance, le niveau garanti pour "
            "chacun et la fréquence de mesure, et dit si des pénalités s'appliquent en cas de "
            "manquement (R.1111-11, 6°)."
        ),
        summary_en=(
            "The contract sets the quality and performance indicators, the guaranteed level of "
            "each and how often it is measured, and states whether penalties apply when a level "
            "is missed (R.1111-11, 6°)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 22",
        parent_ref="CH6",
        assessable=True,
        name_fr="Recours à des prestataires techniques sous-traitants",
        name_en="Use of technical subcontractors",
        summary_fr=(
            "Le contrat informe le client des conditions de recours à des prestataires "
            "techniques et engage l'hébergeur à leur imposer un niveau de protection équivalent "
            "au sien, conformément à l'article 28.4 du RGPD (R.1111-11, 7°)."
        ),
        summary_en=(
            "The contract tells the client when the host may use technical subcontractors and "
            "commits the host to bind them to an equivalent level of protection, in line with "
            "GDPR article 28(4) (R.1111-11, 7°)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 23",
        parent_ref="CH6",
        assessable=True,
        name_fr="Encadrement des accès aux données hébergées",
        name_en="Rules for access to the hosted data",
        summary_fr=(
            "Le contrat décrit comment sont encadrés les accès aux données de santé hébergées : "
            "qui peut y accéder, selon quelles règles et avec quelle traçabilité "
            "(R.1111-11, 8°)."
        ),
        summary_en=(
            "The contract describes how access to the hosted health data is governed: who may "
            "access it, under which rules and with what traceability (R.1111-11, 8°)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 24",
        parent_ref="CH6",
        assessable=True,
        name_fr="Évolutions techniques et accord préalable du client",
        name_en="Technical changes and prior client agreement",
        summary_fr=(
            "Le contrat précise les obligations de l'hébergeur lors des évolutions techniques "
            "qu'il introduit ou que la loi impose. Une évolution de son fait qui dégraderait les "
            "niveaux de service ou les garanties convenus exige l'accord préalable du client "
            "(R.1111-11, 9°)."
        ),
        summary_en=(
            "The contract sets the host's obligations for technical changes it makes or that the "
            "law imposes. A change of its own making that would lower the agreed service levels "
            "or guarantees needs the client's prior agreement (R.1111-11, 9°)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 25",
        parent_ref="CH6",
        assessable=True,
        name_fr="Garanties en cas de défaillance de l'hébergeur",
        name_en="Safeguards if the host fails",
        summary_fr=(
            "Le contrat informe le client des garanties et des procédures prévues pour couvrir "
            "une éventuelle défaillance de l'hébergeur (R.1111-11, 10°)."
        ),
        summary_en=(
            "The contract informs the client of the guarantees and procedures in place to cover "
            "a possible failure of the host (R.1111-11, 10°)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 26",
        parent_ref="CH6",
        assessable=True,
        name_fr="Interdiction d'utiliser les données à d'autres fins",
        name_en="No use of the data for other purposes",
        summary_fr=(
            "Le contrat rappelle que l'hébergeur ne peut utiliser les données de santé hébergées "
            "à aucune autre fin que la prestation d'hébergement elle-même (R.1111-11, 11°)."
        ),
        summary_en=(
            "The contract recalls that the host may not use the hosted health data for anything "
            "other than the hosting service itself (R.1111-11, 11°)."
        ),
        group="6",
    ),
    NodeData(
        ref_id="EXI 27",
        parent_ref="CH6",
        assessable=True,
        name_fr="Réversibilité : restitution, destruction, coûts et formats",
        name_en="Reversibility: return, destruction, costs and formats",
        summary_fr=(
            "Une clause de réversibilité, valable en fin de contrat comme en cas d'arrêt "
            "anticipé, engage l'hébergeur à restituer toutes les données puis à en détruire les "
            "copies. Elle fixe le calcul des coûts et des délais et des formats de restitution "
            "exploitables, y compris pour déplacer machines virtuelles ou conteneurs le cas "
            "échéant (R.1111-11, 12° à 14°)."
        ),
        summary_en=(
            "A reversibility clause, valid at the end of the contract and on early termination, "
            "commits the host to return all the data and then destroy every copy. It sets how "
            "costs and lead times are computed and usable return formats, including moving "
            "virtual machines or containers where relevant (R.1111-11, 12° to 14°)."
        ),
        group="6",
    ),
    # Chapter 7: sovereignty.
    NodeData(
        ref_id="CH7",
        parent_ref=None,
        assessable=False,
        name_fr="Chapitre 7 - Souveraineté des données",
        name_en="Chapter 7 - Data sovereignty",
        summary_fr=(
            "Localisation des données, accès depuis l'étranger et exposition aux lois "
            "extra-européennes."
        ),
        summary_en="Data location, access from abroad and exposure to non-European laws.",
        group="7",
    ),
    NodeData(
        ref_id="EXI 28",
        parent_ref="CH7",
        assessable=True,
        name_fr="Stockage des données de santé dans l'EEE",
        name_en="Health data stored within the EEA",
        summary_fr=(
            "Dès que l'activité implique le stockage de données de santé, l'hébergeur et ses "
            "sous-traitants les stockent uniquement dans l'Espace économique européen. "
            "L'hébergeur documente la localisation du stockage et la communique au client."
        ),
        summary_en=(
            "Whenever the activity involves storing health data, the host and its subcontractors "
            "store it only within the European Economic Area. The host documents where the data "
            "is stored and tells the client."
        ),
        applies_when=AppliesWhen.STORAGE,
        group="7",
    ),
    NodeData(
        ref_id="EXI 29",
        parent_ref="CH7",
        assessable=True,
        name_fr="Accès à distance depuis un pays hors EEE",
        name_en="Remote access from outside the EEA",
        summary_fr=(
            "Un accès à distance depuis un pays hors EEE doit reposer sur une décision "
            "d'adéquation (art. 45 du RGPD) ou, à défaut, sur des garanties appropriées "
            "(art. 46). Dans ce second cas, l'hébergeur en informe le client et documente les "
            "garanties et mesures complémentaires retenues."
        ),
        summary_en=(
            "Remote access from a country outside the EEA must rely on an adequacy decision "
            "(GDPR art. 45) or, failing that, on appropriate safeguards (art. 46). In the latter "
            "case the host tells the client and documents the safeguards and any additional "
            "measures."
        ),
        applies_when=AppliesWhen.NON_EEA_ACCESS,
        group="7",
    ),
    NodeData(
        ref_id="EXI 30",
        parent_ref="CH7",
        assessable=True,
        name_fr="Exposition à des législations extra-européennes",
        name_en="Exposure to non-EU laws",
        summary_fr=(
            "Si l'hébergeur ou l'un de ses sous-traitants relève du droit d'un pays tiers non "
            "adéquat, il indique dans le contrat et à l'organisme certificateur les lois qui "
            "pourraient imposer un accès aux données (art. 48 du RGPD), les mesures prises pour "
            "réduire ce risque et les risques résiduels."
        ),
        summary_en=(
            "If the host or one of its subcontractors is subject to the law of a third country "
            "without adequacy, the contract and the certification body are told which laws could "
            "force access to the data (GDPR art. 48), the mitigations in place and the residual "
            "risks."
        ),
        applies_when=AppliesWhen.NON_EU_LAW,
        group="7",
    ),
    NodeData(
        ref_id="EXI 31",
        parent_ref="CH7",
        assessable=True,
        name_fr="Publication de la cartographie des transferts hors EEE",
        name_en="Public map of transfers outside the EEA",
        summary_fr=(
            "L'hébergeur publie et tient à jour, sur une page web dédiée dont il transmet l'URL "
            "à l'organisme certificateur, la cartographie de ses transferts et accès distants "
            "hors EEE et des risques liés aux lois extra-européennes. La page porte la mention "
            "imposée par le référentiel selon le cas : qualification SecNumCloud, absence de "
            "transfert, ou tableau du chapitre 8."
        ),
        summary_en=(
            "On a dedicated web page whose URL it gives the certification body, the host "
            "publishes and keeps up to date a map of its transfers and remote access outside the "
            "EEA and of the risks from non-European laws. The page carries the statement the "
            "référentiel requires for its case: SecNumCloud qualification, no transfer, or the "
            "chapter 8 table."
        ),
        group="7",
    ),
)
