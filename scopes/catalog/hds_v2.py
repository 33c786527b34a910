"""HDS certification référentiel, version 2 (arrêté of 26 April 2024, published 16 May 2024).

Source of the facts: /work/shared/DOMAIN.md (chapters 4 to 7, requirements EXI 01 to EXI 31).
The requirement IDs are the official ones; every title and summary is written by us, in our own
words (the référentiel's wording is not reproduced). Chapter 8 (the "présentation des garanties"
table) has no requirement ID of its own: EXI 01 and EXI 31 refer to it.
"""

# French text takes the typographic apostrophe (U+2019), which ruff would flag everywhere.

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
        "pour être certifié HDS, dans la version 2 du référentiel de l’ANS, approuvée par "
        "l’arrêté du 26 avril 2024 publié le 16 mai 2024. Elles complètent un SMSI certifié "
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
        summary_fr="Ce qu’il faut réunir pour obtenir le certificat HDS.",
        summary_en="What a host needs to obtain the HDS certificate.",
        group="4",
    ),
    NodeData(
        ref_id="EXI 01",
        parent_ref="CH4",
        assessable=True,
        name_fr="Conditions d’obtention de la certification HDS",
        name_en="Prerequisites for HDS certification",
        summary_fr=(
            "L’hébergeur dispose d’un SMSI certifié ISO/IEC 27001 dont le périmètre couvre "
            "toutes ses activités d’hébergement de données de santé, et il satisfait en plus "
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
        summary_fr="Exigences HDS qui s’ajoutent au SMSI ISO/IEC 27001 de l’hébergeur.",
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
            "Dans l’analyse des enjeux internes et externes du SMSI, l’hébergeur intègre sa "
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
            "Le domaine d’application du SMSI englobe chaque traitement de données de santé "
            "réalisé par l’hébergeur et tous les moyens et processus qui y concourent, y compris "
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
        name_fr="Familles de risques à couvrir dans l’appréciation des risques",
        name_en="Risk families the risk assessment must cover",
        # The families A-H and the items of B and D are kept one per line: an auditor checks
        # the risk assessment against each of them.
        summary_fr=(
            "L’appréciation des risques examine au minimum les familles d’événements suivantes :\n"
            "A. pannes des supports matériels de l’information dues à des menaces physiques ou "
            "environnementales ;\n"
            "B. perte de maîtrise des supports matériels de l’information, en particulier lors :\n"
            "a) de la copie de données de santé sur des supports amovibles ;\n"
            "b) de leur éventuelle mise sur papier ;\n"
            "c) de la réattribution d’espaces de stockage ;\n"
            "C. altération, compromission ou interruption d’un flux d’information, interne ou "
            "externe, dont l’hébergeur a la charge ;\n"
            "D. défaut de maîtrise des accès accordés, au personnel de l’hébergeur comme aux "
            "personnes désignées par ses clients, pour :\n"
            "a) l’octroi, la modification et la suppression des droits d’accès ;\n"
            "b) la remise des moyens d’identification électronique ;\n"
            "c) la traçabilité et l’imputabilité des accès ;\n"
            "d) les accès ponctuels pendant les audits et les tests d’intrusion ;\n"
            "E. interventions mal maîtrisées, décidées par l’hébergeur ou demandées par un "
            "client ;\n"
            "F. usages du service non prévus, par erreur ou par malveillance ;\n"
            "G. pannes matérielles ou logicielles qui empêchent de tenir les engagements de "
            "continuité ou de reprise d’activité ;\n"
            "H. soumission de l’hébergeur ou de ses sous-traitants à des lois extra-européennes "
            "pouvant conduire à une atteinte aux données de santé."
        ),
        summary_en=(
            "The risk assessment considers at least the following event families:\n"
            "A. failure of the physical information media through physical or environmental "
            "threats;\n"
            "B. loss of control over physical information media, in particular when:\n"
            "a) health data is copied to removable media;\n"
            "b) it is put on paper, if ever;\n"
            "c) storage space is reallocated;\n"
            "C. degradation, compromise or interruption of an internal or external information "
            "flow the host is responsible for;\n"
            "D. failed control of the access granted, to the host's staff as to the people its "
            "clients designate, for:\n"
            "a) granting, changing and removing access rights;\n"
            "b) handing out electronic identification means;\n"
            "c) traceability and accountability of access;\n"
            "d) one-off access during audits and penetration tests;\n"
            "E. poorly controlled interventions, decided by the host or ordered by a client;\n"
            "F. unintended uses of the service, by mistake or malice;\n"
            "G. hardware or software failures that prevent meeting the continuity or recovery "
            "commitments;\n"
            "H. the host or its subcontractors being subject to non-European laws that could lead "
            "to a breach of health data."
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
            "Lorsqu’il fait appel à des sous-traitants, l’hébergeur garde la maîtrise des "
            "changements apportés aux mesures techniques et organisationnelles qu’ils appliquent "
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
            "Pour limiter les erreurs d’utilisation, les interfaces proposées aux clients et le "
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
        name_fr="Déclaration d’applicabilité disponible en français",
        name_en="Statement of Applicability available in French",
        summary_fr=(
            "L’hébergeur peut remettre aux auditeurs qui la demandent une version française de "
            "sa déclaration d’applicabilité (DdA)."
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
            "Les objectifs de sécurité de l’information du SMSI incluent explicitement la "
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
            "Le personnel de l’hébergeur, comme celui de ses sous-traitants, est sensibilisé aux "
            "enjeux de disponibilité, d’intégrité et de confidentialité propres aux données de "
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
            "L’hébergeur tient à jour, pour chaque client, un point de contact capable de lui "
            "désigner un professionnel de santé habilité lorsque l’accès aux données l’exige. "
            "Il peut remettre cette liste sans délai à l’autorité compétente, notamment en cas "
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
            "L’hébergeur fournit à ses clients une copie de son certificat HDS, ainsi que les "
            "certificats HDS des sous-traitants qui participent à l’hébergement."
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
            "L’hébergeur définit, planifie et contrôle la part de chaque responsabilité de "
            "sécurité de l’information qui lui revient et celle qui revient au client, par "
            "exemple au moyen d’une matrice de responsabilités."
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
        name_fr="Procédure en cas de perte de certification d’un sous-traitant",
        name_en="Procedure if a certified subcontractor loses its certification",
        summary_fr=(
            "Si un sous-traitant certifié assure tout ou partie du service d’hébergement, "
            "l’hébergeur dispose d’une procédure qui encadre le risque que ce sous-traitant perde "
            "sa certification ou la voie suspendue."
        ),
        summary_en=(
            "When a certified subcontractor performs all or part of the hosting service, the host "
            "has a procedure that manages the risk of that subcontractor losing its certification "
            "or having it suspended."
        ),
        applies_when=AppliesWhen.SUBCONTRACTING,
        group="5",
    ),
    NodeData(
        ref_id="EXI 15",
        parent_ref="CH5",
        assessable=True,
        name_fr="Droits de vérification du client : audits et traces d’accès",
        name_en="Client verification rights: audits and access logs",
        summary_fr=(
            "L’hébergeur permet au client de vérifier le niveau de sécurité proposé : si des "
            "ressources sont dédiées au client, celui-ci peut y conduire ou faire conduire des "
            "audits de sécurité technique, limités à ces ressources, avec l’assistance de "
            "l’hébergeur pour préserver la sécurité pendant l’audit ; sur demande, il reçoit la "
            "synthèse managériale d’un audit technique des ressources mutualisées, mené par un "
            "auditeur indépendant depuis moins de trois ans ; il peut consulter les traces des "
            "accès du personnel de l’hébergeur à ses ressources dédiées et aux données de santé "
            "qu’elles portent ; il peut consulter le dernier rapport d’audit de certification HDS "
            "selon des modalités que l’hébergeur définit."
        ),
        summary_en=(
            "The host lets the client check the security level offered: where resources are "
            "dedicated to the client, the client may run or commission technical security audits "
            "limited to those resources, with the host helping to keep them secure during the "
            "audit; on request, the client receives the executive summary of a technical audit of "
            "the shared resources, made by an independent auditor less than three years ago; the "
            "client may consult the logs of the host's staff access to its dedicated resources "
            "and to the health data they hold; the client may consult the latest HDS "
            "certification audit report in a way the host defines."
        ),
        group="5",
    ),
    NodeData(
        ref_id="EXI 16",
        parent_ref="CH5",
        assessable=True,
        name_fr="Audits internes portant sur le référentiel HDS et les traces d’accès",
        name_en="Internal audits covering HDS and access logs",
        summary_fr=(
            "Le programme d’audit interne vérifie que le SMSI est conforme au référentiel HDS et "
            "efficace, et comprend un audit des traces d’accès du personnel aux données de santé "
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
        name_fr="Chapitre 6 - Clauses du contrat d’hébergement",
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
            "Le contrat d’hébergement indique le périmètre du certificat HDS de l’hébergeur ainsi "
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
            "assurer la disponibilité, l’intégrité, la confidentialité et l’auditabilité des "
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
        name_fr="Droits des personnes, signalement des violations et audits du DPO",
        name_en="Data-subject rights, breach notification and DPO audits",
        summary_fr=(
            "Le contrat précise comment s’exercent, lorsqu’ils s’appliquent, les droits des "
            "personnes concernées (accès, rectification, limitation, opposition, effacement, "
            "portabilité), comment l’hébergeur signale au responsable de traitement une violation "
            "de données personnelles et comment le délégué à la protection des données conduit "
            "ses audits (R.1111-11, 4°)."
        ),
        summary_en=(
            "The contract explains how data subjects exercise their rights where they apply "
            "(access, rectification, restriction, objection, erasure, portability), how the host "
            "notifies the controller of a personal data breach and how the data protection "
            "officer conducts audits (R.1111-11, 4°)."
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
            "chacun et la fréquence de mesure, et dit si des pénalités s’appliquent en cas de "
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
            "techniques et engage l’hébergeur à leur imposer un niveau de protection équivalent "
            "au sien, conformément à l’article 28.4 du RGPD (R.1111-11, 7°)."
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
            "Le contrat expose les dispositions retenues par l’hébergeur pour encadrer l’accès "
            "aux données de santé hébergées (R.1111-11, 8°)."
        ),
        summary_en=(
            "The contract sets out the arrangements the host has chosen to govern access to the "
            "hosted health data (R.1111-11, 8°)."
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
            "Le contrat précise les obligations de l’hébergeur lors des évolutions techniques "
            "qu’il introduit ou que la loi impose. Une évolution de son fait qui dégraderait les "
            "niveaux de service ou les garanties convenus exige l’accord préalable du client "
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
        name_fr="Garanties en cas de défaillance de l’hébergeur",
        name_en="Safeguards if the host fails",
        summary_fr=(
            "Le contrat informe le client des garanties et des procédures prévues pour couvrir "
            "une éventuelle défaillance de l’hébergeur (R.1111-11, 10°)."
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
        name_fr="Interdiction d’utiliser les données à d’autres fins",
        name_en="No use of the data for other purposes",
        summary_fr=(
            "Le contrat rappelle que l’hébergeur ne peut utiliser les données de santé hébergées "
            "à aucune autre fin que la prestation d’hébergement elle-même (R.1111-11, 11°)."
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
            "Une clause de réversibilité, valable en fin de contrat comme en cas d’arrêt "
            "anticipé, engage l’hébergeur à restituer toutes les données puis à en détruire les "
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
            "Localisation des données, accès depuis l’étranger et exposition aux lois "
            "extra-européennes."
        ),
        summary_en="Data location, access from abroad and exposure to non-European laws.",
        group="7",
    ),
    NodeData(
        ref_id="EXI 28",
        parent_ref="CH7",
        assessable=True,
        name_fr="Stockage des données de santé dans l’EEE",
        name_en="Health data stored within the EEA",
        summary_fr=(
            "Dès que l’activité implique le stockage de données de santé, l’hébergeur et ses "
            "sous-traitants les stockent uniquement dans l’Espace économique européen. "
            "L’hébergeur documente la localisation du stockage et la communique au client."
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
            "d’adéquation (art. 45 du RGPD) ou, à défaut, sur des garanties appropriées "
            "(art. 46). Dans ce second cas, l’hébergeur en informe le client et documente les "
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
            "Si l’hébergeur ou l’un de ses sous-traitants relève du droit d’un pays tiers non "
            "adéquat, il indique dans le contrat et à l’organisme certificateur les lois qui "
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
            "L’hébergeur publie et tient à jour, sur une page web dédiée dont il transmet l’URL "
            "à l’organisme certificateur, la cartographie de ses transferts et accès distants "
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
