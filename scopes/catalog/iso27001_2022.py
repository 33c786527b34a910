"""ISO/IEC 27001:2022: management-system clauses 4 to 10 and the 93 Annex A controls.

The ISMS certified against this standard is the prerequisite of HDS v2 (EXI 01, EXI 04; see
/work/shared/DOMAIN.md). Clause and control numbers are the standard's; every title and summary
is written by us, in our own words, as a working aid: the text of the standard (sold by ISO and
AFNOR) is not reproduced, and the titles deliberately do not copy the official ones.

Clauses 6.1, 7.5, 9.2 and 9.3 are only headings: their sub-clauses (6.1.1 ... 9.3.3) are the
assessable items, which makes 30 assessable clauses in all.
"""

# French text takes the typographic apostrophe (U+2019), which ruff would flag everywhere.

from __future__ import annotations

from datetime import date

from scopes.catalog import FrameworkData, NodeData

FRAMEWORK = FrameworkData(
    code="iso27001",
    version="2022",
    urn="urn:hdsready:framework:iso27001-2022",
    name_fr="ISO/IEC 27001:2022 - exigences du SMSI",
    name_en="ISO/IEC 27001:2022 - ISMS requirements",
    description_fr=(
        "Norme internationale qui fixe les exigences d’un système de management de la sécurité "
        "de l’information (SMSI) : articles 4 à 10 et 93 mesures de sécurité de l’annexe A. "
        "Un SMSI certifié selon cette norme est le socle de la certification HDS v2. Intitulés "
        "et résumés rédigés par hdsready ; ils ne remplacent pas le texte de la norme."
    ),
    description_en=(
        "International standard setting the requirements of an information security management "
        "system (ISMS): clauses 4 to 10 and the 93 Annex A controls. An ISMS certified against "
        "it is the foundation of HDS v2 certification. Titles and summaries are written by "
        "hdsready and do not replace the text of the standard."
    ),
    provider="ISO/IEC",
    published=date(2022, 10, 25),
)

CLAUSES_GROUP = "clauses"


def _heading(
    ref_id: str, parent_ref: str | None, group: str, name_fr: str, name_en: str
) -> NodeData:
    """A node that only groups others (a clause, a heading clause or an Annex A theme)."""
    return NodeData(
        ref_id=ref_id,
        parent_ref=parent_ref,
        assessable=False,
        name_fr=name_fr,
        name_en=name_en,
        group=group,
    )


def _clause(
    ref_id: str, parent_ref: str, name_fr: str, name_en: str, summary_fr: str, summary_en: str
) -> NodeData:
    """An assessable management-system (sub-)clause."""
    return NodeData(
        ref_id=ref_id,
        parent_ref=parent_ref,
        assessable=True,
        name_fr=name_fr,
        name_en=name_en,
        summary_fr=summary_fr,
        summary_en=summary_en,
        group=CLAUSES_GROUP,
    )


def _control(ref_id: str, name_fr: str, name_en: str, summary_fr: str, summary_en: str) -> NodeData:
    """An assessable Annex A control; its theme ("A.5" ... "A.8") is its parent and group."""
    theme = ref_id.rsplit(".", 1)[0]
    return NodeData(
        ref_id=ref_id,
        parent_ref=theme,
        assessable=True,
        name_fr=name_fr,
        name_en=name_en,
        summary_fr=summary_fr,
        summary_en=summary_en,
        group=theme,
    )


CLAUSE_NODES: tuple[NodeData, ...] = (
    # 4. Context.
    _heading("4", None, CLAUSES_GROUP, "Contexte de l’organisme", "Organizational context"),
    _clause(
        "4.1",
        "4",
        "Enjeux internes et externes de l’organisme",
        "Internal and external issues",
        "Identifier les enjeux internes et externes qui pèsent sur la sécurité de l’information "
        "et sur les résultats attendus du SMSI.",
        "Identify the internal and external issues that bear on information security and on "
        "what the ISMS is meant to achieve.",
    ),
    _clause(
        "4.2",
        "4",
        "Parties intéressées et leurs exigences",
        "Interested parties and their requirements",
        "Recenser les parties intéressées pertinentes pour le SMSI, leurs exigences en matière de "
        "sécurité et celles que le SMSI prendra en charge.",
        "List the interested parties that matter to the ISMS, their security-related "
        "requirements, and which of them the ISMS will address.",
    ),
    _clause(
        "4.3",
        "4",
        "Domaine d’application du SMSI",
        "ISMS scope",
        "Fixer et documenter les limites du SMSI en tenant compte des enjeux, des exigences et "
        "des interfaces avec les activités réalisées par d’autres.",
        "Set and document the boundaries of the ISMS, taking into account issues, requirements "
        "and interfaces with activities carried out by others.",
    ),
    _clause(
        "4.4",
        "4",
        "Mise en place et amélioration du SMSI",
        "Establishing and improving the ISMS",
        "Établir, mettre en œuvre, tenir à jour et améliorer en continu le SMSI, avec ses "
        "processus et leurs interactions.",
        "Establish, run, maintain and continually improve the ISMS, including its processes and "
        "how they interact.",
    ),
    # 5. Leadership.
    _heading("5", None, CLAUSES_GROUP, "Rôle de la direction", "Top management's role"),
    _clause(
        "5.1",
        "5",
        "Engagement de la direction",
        "Top management commitment",
        "La direction démontre son implication : politique et objectifs alignés sur la "
        "stratégie, SMSI intégré aux processus métier, ressources allouées, soutien aux "
        "responsables.",
        "Top management shows it drives the ISMS: policy and objectives aligned with strategy, "
        "ISMS built into business processes, resources provided, managers supported.",
    ),
    _clause(
        "5.2",
        "5",
        "Politique de sécurité de l’information",
        "Information security policy",
        "La direction établit une politique de sécurité adaptée à la finalité de l’organisme, "
        "qui encadre les objectifs et engage à respecter les exigences et à s’améliorer ; elle "
        "est documentée et diffusée.",
        "Top management issues a security policy suited to the organization's purpose, framing "
        "objectives and committing to meet requirements and improve; it is documented and "
        "communicated.",
    ),
    _clause(
        "5.3",
        "5",
        "Rôles, responsabilités et autorités dans le SMSI",
        "ISMS roles, responsibilities and authorities",
        "Attribuer et faire connaître les responsabilités et autorités pour assurer la "
        "conformité du SMSI et rendre compte de sa performance à la direction.",
        "Assign and communicate who is responsible and has authority for keeping the ISMS "
        "conformant and for reporting its performance to top management.",
    ),
    # 6. Planning.
    _heading("6", None, CLAUSES_GROUP, "Planification du SMSI", "ISMS planning"),
    _heading("6.1", "6", CLAUSES_GROUP, "Risques et opportunités", "Risks and opportunities"),
    _clause(
        "6.1.1",
        "6.1",
        "Identification des risques et opportunités du SMSI",
        "Identifying ISMS risks and opportunities",
        "En planifiant le SMSI, déterminer les risques et opportunités à traiter pour qu’il "
        "atteigne ses résultats, évite les effets indésirables et s’améliore.",
        "When planning the ISMS, determine the risks and opportunities to address so that it "
        "achieves its outcomes, avoids undesired effects and keeps improving.",
    ),
    _clause(
        "6.1.2",
        "6.1",
        "Processus d’appréciation des risques",
        "Risk assessment process",
        "Définir un processus d’appréciation des risques avec des critères d’acceptation et "
        "d’évaluation, qui identifie les risques et leurs propriétaires, estime vraisemblance et "
        "conséquences et donne des résultats cohérents et comparables.",
        "Define a risk assessment process with acceptance and evaluation criteria that "
        "identifies risks and their owners, estimates likelihood and consequences, and gives "
        "consistent, comparable results.",
    ),
    _clause(
        "6.1.3",
        "6.1",
        "Processus de traitement des risques",
        "Risk treatment process",
        "Choisir les options de traitement, déterminer les mesures nécessaires et les comparer à "
        "l’annexe A, puis rédiger la déclaration d’applicabilité et un plan de traitement "
        "approuvé par les propriétaires des risques.",
        "Choose treatment options, determine the controls needed and compare them with Annex A, "
        "then produce the Statement of Applicability and a treatment plan approved by the risk "
        "owners.",
    ),
    _clause(
        "6.2",
        "6",
        "Objectifs de sécurité et plans d’action",
        "Security objectives and action plans",
        "Fixer des objectifs de sécurité mesurables, cohérents avec la politique, et planifier "
        "les actions, ressources, responsables, échéances et modalités d’évaluation.",
        "Set measurable security objectives consistent with the policy, and plan the actions, "
        "resources, owners, deadlines and how results will be evaluated.",
    ),
    _clause(
        "6.3",
        "6",
        "Planification des changements du SMSI",
        "Planning ISMS changes",
        "Apporter les modifications au SMSI de façon planifiée plutôt qu’improvisée.",
        "Make changes to the ISMS in a planned way rather than ad hoc.",
    ),
    # 7. Support.
    _heading("7", None, CLAUSES_GROUP, "Moyens du SMSI", "ISMS support"),
    _clause(
        "7.1",
        "7",
        "Ressources du SMSI",
        "ISMS resources",
        "Déterminer et fournir les moyens humains, techniques et financiers dont le SMSI a besoin.",
        "Determine and provide the people, tools and budget the ISMS needs.",
    ),
    _clause(
        "7.2",
        "7",
        "Compétences du personnel",
        "Staff competence",
        "Déterminer les compétences requises des personnes dont le travail influe sur la "
        "sécurité, s’assurer qu’elles les possèdent, combler les écarts et en conserver la "
        "preuve.",
        "Determine the competence needed by people whose work affects security, make sure they "
        "have it, close the gaps and keep evidence.",
    ),
    _clause(
        "7.3",
        "7",
        "Sensibilisation au SMSI",
        "ISMS awareness",
        "Faire connaître aux personnes travaillant pour l’organisme la politique de sécurité, "
        "leur contribution au SMSI et les conséquences d’un manquement.",
        "Make sure people working for the organization know the security policy, how they "
        "contribute to the ISMS and what failing to conform implies.",
    ),
    _clause(
        "7.4",
        "7",
        "Communication interne et externe",
        "Internal and external communication",
        "Déterminer les communications internes et externes relatives au SMSI : quoi, quand, à "
        "qui et comment.",
        "Decide what to communicate about the ISMS, internally and externally: what, when, to "
        "whom and how.",
    ),
    _heading(
        "7.5", "7", CLAUSES_GROUP, "Informations documentées du SMSI", "ISMS documented information"
    ),
    _clause(
        "7.5.1",
        "7.5",
        "Documentation exigée du SMSI",
        "Required ISMS documentation",
        "Tenir les informations documentées exigées par la norme et celles que l’organisme juge "
        "nécessaires à l’efficacité du SMSI.",
        "Keep the documented information the standard requires and whatever else the "
        "organization needs for an effective ISMS.",
    ),
    _clause(
        "7.5.2",
        "7.5",
        "Rédaction et mise à jour des documents",
        "Writing and updating documents",
        "À la création et à la mise à jour des documents, assurer une identification, un format "
        "et une revue avec approbation appropriés.",
        "When writing or updating documents, give them proper identification and format, and "
        "have them reviewed and approved.",
    ),
    _clause(
        "7.5.3",
        "7.5",
        "Maîtrise de la documentation",
        "Document control",
        "Rendre les documents disponibles là où il faut et les protéger : diffusion, accès, "
        "stockage, gestion des versions, conservation et élimination.",
        "Keep documents available where needed and protected: distribution, access, storage, "
        "version control, retention and disposal.",
    ),
    # 8. Operation.
    _heading("8", None, CLAUSES_GROUP, "Fonctionnement du SMSI", "Running the ISMS"),
    _clause(
        "8.1",
        "8",
        "Planification et maîtrise des opérations",
        "Planning and controlling operations",
        "Planifier, mettre en œuvre et maîtriser les processus nécessaires et les actions de "
        "l’article 6, y compris les changements et les processus confiés à l’extérieur.",
        "Plan, run and control the processes needed and the actions from clause 6, including "
        "changes and externally provided processes.",
    ),
    _clause(
        "8.2",
        "8",
        "Réalisation des appréciations des risques",
        "Performing risk assessments",
        "Réaliser les appréciations des risques à intervalles planifiés et lors de changements "
        "importants, et en conserver les résultats.",
        "Carry out risk assessments at planned intervals and when significant changes occur, and "
        "keep the results.",
    ),
    _clause(
        "8.3",
        "8",
        "Mise en œuvre du traitement des risques",
        "Implementing risk treatment",
        "Appliquer le plan de traitement des risques et en conserver les résultats.",
        "Carry out the risk treatment plan and keep the results.",
    ),
    # 9. Performance evaluation.
    _heading("9", None, CLAUSES_GROUP, "Évaluation du SMSI", "Evaluating the ISMS"),
    _clause(
        "9.1",
        "9",
        "Surveillance et mesure du SMSI",
        "Monitoring and measuring the ISMS",
        "Définir quoi surveiller et mesurer, avec quelles méthodes, quand et par qui, puis "
        "analyser les résultats pour juger de la performance et de l’efficacité du SMSI.",
        "Decide what to monitor and measure, how, when and by whom, then analyze the results to "
        "judge how well the ISMS performs.",
    ),
    _heading("9.2", "9", CLAUSES_GROUP, "Audits internes du SMSI", "ISMS internal audits"),
    _clause(
        "9.2.1",
        "9.2",
        "Réalisation des audits internes",
        "Conducting internal audits",
        "Selon un calendrier défini, auditer le SMSI en interne pour établir s’il répond à la "
        "fois aux règles propres de l’organisme et à la norme, et s’il est réellement appliqué "
        "et entretenu.",
        "On a set schedule, audit the ISMS in-house to find out whether it meets both the "
        "organization's own rules and the standard, and whether it is really applied and kept "
        "up.",
    ),
    _clause(
        "9.2.2",
        "9.2",
        "Programmation des audits internes",
        "Planning the internal audit program",
        "Établir un programme d’audit (fréquence, méthodes, responsabilités, comptes rendus), "
        "définir critères et périmètre de chaque audit, choisir des auditeurs objectifs et "
        "impartiaux et rendre compte des résultats à la direction.",
        "Set up an audit program (frequency, methods, responsibilities, reporting), define each "
        "audit's criteria and scope, pick objective and impartial auditors and report results "
        "to management.",
    ),
    _heading("9.3", "9", CLAUSES_GROUP, "Revue de direction du SMSI", "ISMS management review"),
    _clause(
        "9.3.1",
        "9.3",
        "Tenue de la revue de direction",
        "Holding the management review",
        "La direction revoit le SMSI à intervalles planifiés pour s’assurer qu’il reste "
        "pertinent, adéquat et efficace.",
        "Top management reviews the ISMS at planned intervals to make sure it stays suitable, "
        "adequate and effective.",
    ),
    _clause(
        "9.3.2",
        "9.3",
        "Points examinés en revue de direction",
        "Management review agenda",
        "La revue examine le suivi des actions précédentes, l’évolution des enjeux et des "
        "attentes, les retours sur la performance (non-conformités, mesures, audits, objectifs), "
        "les résultats de l’appréciation des risques et les pistes d’amélioration.",
        "The review covers follow-up of earlier actions, changes in issues and expectations, "
        "performance feedback (nonconformities, measurements, audits, objectives), risk "
        "assessment results and improvement ideas.",
    ),
    _clause(
        "9.3.3",
        "9.3",
        "Décisions issues de la revue de direction",
        "Management review outcomes",
        "La revue débouche sur des décisions d’amélioration et de modification du SMSI, "
        "conservées comme informations documentées.",
        "The review ends in decisions on improvements and changes to the ISMS, kept as "
        "documented information.",
    ),
    # 10. Improvement.
    _heading("10", None, CLAUSES_GROUP, "Amélioration du SMSI", "ISMS improvement"),
    _clause(
        "10.1",
        "10",
        "Amélioration continue du SMSI",
        "Continual improvement of the ISMS",
        "Améliorer en continu la pertinence, l’adéquation et l’efficacité du SMSI.",
        "Keep improving how suitable, adequate and effective the ISMS is.",
    ),
    _clause(
        "10.2",
        "10",
        "Traitement des non-conformités et actions correctives",
        "Handling nonconformities and corrective actions",
        "Face à une non-conformité, la maîtriser et la corriger, en analyser les causes, engager "
        "des actions correctives pour éviter qu’elle se reproduise, vérifier leur efficacité et "
        "en garder la trace.",
        "When a nonconformity occurs, contain and correct it, analyze its causes, take "
        "corrective action so it does not recur, check that it worked and keep records.",
    ),
)

ORGANIZATIONAL_CONTROLS: tuple[NodeData, ...] = (
    _heading("A.5", None, "A.5", "Mesures organisationnelles", "Organizational controls"),
    _control(
        "A.5.1",
        "Politique de sécurité et politiques thématiques",
        "Security policy and topic-specific policies",
        "Définir une politique de sécurité de l’information et des politiques thématiques, les "
        "faire approuver par la direction, les diffuser et les revoir à intervalles planifiés "
        "ou après un changement important.",
        "Define an information security policy and topic-specific policies, have management "
        "approve them, publish them and review them at planned intervals or after major change.",
    ),
    _control(
        "A.5.2",
        "Rôles et responsabilités en sécurité de l’information",
        "Security roles and responsibilities",
        "Définir et attribuer les rôles et responsabilités en sécurité de l’information selon "
        "les besoins de l’organisme (RSSI, propriétaires d’actifs, référents...).",
        "Define and assign information security roles and responsibilities according to the "
        "organization's needs (CISO, asset owners, local contacts...).",
    ),
    _control(
        "A.5.3",
        "Séparation des tâches incompatibles",
        "Separation of conflicting duties",
        "Séparer les tâches et domaines de responsabilité incompatibles pour qu’une même "
        "personne ne puisse pas détourner ou modifier un actif sans contrôle.",
        "Separate conflicting duties and areas of responsibility so that no single person can "
        "misuse or alter an asset unchecked.",
    ),
    _control(
        "A.5.4",
        "Responsabilités de l’encadrement en sécurité",
        "Management's security responsibilities",
        "L’encadrement exige de tout le personnel et des prestataires qu’ils appliquent les "
        "politiques et procédures de sécurité de l’organisme.",
        "Management requires all staff and contractors to apply the organization's security "
        "policies and procedures.",
    ),
    _control(
        "A.5.5",
        "Relations avec les autorités",
        "Relations with authorities",
        "Établir et entretenir le contact avec les autorités compétentes (CNIL, ANSSI, forces de "
        "l’ordre...) pour signaler les incidents et suivre les évolutions réglementaires.",
        "Establish and keep up contact with the relevant authorities (data protection "
        "authority, national cyber agency, police...) to report incidents and follow "
        "regulatory change.",
    ),
    _control(
        "A.5.6",
        "Relations avec les communautés de sécurité",
        "Relations with security communities",
        "Entretenir des liens avec des groupes spécialisés, forums et associations "
        "professionnelles pour partager veille et bonnes pratiques de sécurité.",
        "Keep in touch with specialist groups, forums and professional associations to share "
        "security news and good practice.",
    ),
    _control(
        "A.5.7",
        "Veille sur les menaces",
        "Threat intelligence gathering",
        "Collecter et analyser les informations sur les menaces qui concernent l’organisme pour "
        "en tirer des renseignements exploitables dans ses mesures de protection.",
        "Collect and analyze information on threats relevant to the organization and turn it "
        "into actionable intelligence for its defenses.",
    ),
    _control(
        "A.5.8",
        "Sécurité intégrée à la gestion de projet",
        "Security built into project management",
        "Intégrer la sécurité de l’information à la gestion de projet, quel que soit le type de "
        "projet, de l’expression des besoins jusqu’à la livraison.",
        "Build information security into project management for every kind of project, from "
        "requirements to delivery.",
    ),
    _control(
        "A.5.9",
        "Inventaire des actifs",
        "Asset inventory",
        "Tenir à jour un inventaire des informations et des autres actifs associés, chacun avec "
        "un propriétaire désigné.",
        "Keep an up-to-date inventory of information and associated assets, each with a named "
        "owner.",
    ),
    _control(
        "A.5.10",
        "Règles d’utilisation des actifs",
        "Acceptable use of assets",
        "Définir, documenter et appliquer des règles d’usage acceptable et de manipulation des "
        "informations et des actifs associés.",
        "Define, document and apply rules for acceptable use and handling of information and "
        "associated assets.",
    ),
    _control(
        "A.5.11",
        "Restitution des actifs au départ",
        "Returning assets on departure",
        "Le personnel et les tiers rendent tous les actifs de l’organisme en leur possession "
        "lorsque leur emploi, contrat ou accord change ou prend fin.",
        "Staff and third parties hand back all the organization's assets they hold when their "
        "employment, contract or agreement changes or ends.",
    ),
    _control(
        "A.5.12",
        "Schéma de classification des informations",
        "Information classification scheme",
        "Classer les informations selon leurs besoins de sécurité (confidentialité, intégrité, "
        "disponibilité) et les exigences des parties intéressées.",
        "Classify information by its security needs (confidentiality, integrity, availability) "
        "and the requirements of interested parties.",
    ),
    _control(
        "A.5.13",
        "Marquage selon la classification",
        "Labeling by classification",
        "Définir et appliquer des procédures de marquage des informations cohérentes avec le "
        "schéma de classification.",
        "Define and apply procedures to label information consistently with the classification "
        "scheme.",
    ),
    _control(
        "A.5.14",
        "Sécurité des échanges d’informations",
        "Secure information exchange",
        "Encadrer par des règles, procédures ou accords tous les échanges d’informations, "
        "internes ou avec des tiers, quel que soit le moyen : électronique, support physique ou "
        "oral.",
        "Govern every exchange of information, internal or with third parties, by rules, "
        "procedures or agreements, whatever the channel: electronic, physical media or verbal.",
    ),
    _control(
        "A.5.15",
        "Règles de contrôle d’accès",
        "Access control rules",
        "Définir et appliquer des règles d’accès physique et logique aux informations et aux "
        "actifs, fondées sur les besoins métier et de sécurité.",
        "Define and apply rules for physical and logical access to information and assets, based "
        "on business and security needs.",
    ),
    _control(
        "A.5.16",
        "Cycle de vie des identités",
        "Identity lifecycle management",
        "Gérer tout le cycle de vie des identités, personnes comme systèmes, de leur création à "
        "leur suppression.",
        "Manage the whole lifecycle of identities, for people and systems alike, from creation "
        "to removal.",
    ),
    _control(
        "A.5.17",
        "Gestion des secrets d’authentification",
        "Managing authentication secrets",
        "Maîtriser l’attribution et la gestion des secrets d’authentification (mots de passe, "
        "clés, jetons) et indiquer aux utilisateurs comment les protéger.",
        "Control how authentication secrets (passwords, keys, tokens) are issued and managed, "
        "and tell users how to protect them.",
    ),
    _control(
        "A.5.18",
        "Attribution et revue des droits d’accès",
        "Granting and reviewing access rights",
        "Attribuer, revoir périodiquement, modifier et retirer les droits d’accès conformément à "
        "la politique de contrôle d’accès.",
        "Grant, periodically review, change and revoke access rights in line with the access "
        "control policy.",
    ),
    _control(
        "A.5.19",
        "Sécurité vis-à-vis des fournisseurs",
        "Supplier security",
        "Définir et appliquer des processus pour gérer les risques de sécurité liés aux produits "
        "et services des fournisseurs.",
        "Define and apply processes to manage the security risks that come with suppliers' "
        "products and services.",
    ),
    _control(
        "A.5.20",
        "Clauses de sécurité des contrats fournisseurs",
        "Security clauses in supplier contracts",
        "Convenir avec chaque fournisseur des exigences de sécurité adaptées à la relation et "
        "les inscrire dans le contrat.",
        "Agree with each supplier on the security requirements that fit the relationship and "
        "write them into the contract.",
    ),
    _control(
        "A.5.21",
        "Sécurité de la chaîne d’approvisionnement TIC",
        "ICT supply chain security",
        "Gérer les risques de sécurité des produits et services TIC tout au long de la chaîne "
        "d’approvisionnement, y compris chez les fournisseurs de vos fournisseurs.",
        "Manage the security risks of ICT products and services along the whole supply chain, "
        "including your suppliers' own suppliers.",
    ),
    _control(
        "A.5.22",
        "Suivi et changements des services fournisseurs",
        "Supplier service monitoring and change",
        "Surveiller, revoir et évaluer régulièrement les pratiques de sécurité et la prestation "
        "des fournisseurs, et maîtriser les changements qui les affectent.",
        "Regularly monitor, review and evaluate suppliers' security practices and service "
        "delivery, and control changes to them.",
    ),
    _control(
        "A.5.23",
        "Sécurité de l’usage des services cloud",
        "Security of cloud service use",
        "Définir les processus d’acquisition, d’utilisation, de gestion et de sortie des "
        "services cloud selon les exigences de sécurité de l’organisme.",
        "Define how cloud services are acquired, used, managed and exited according to the "
        "organization's security requirements.",
    ),
    _control(
        "A.5.24",
        "Préparation à la gestion des incidents",
        "Getting ready for security incidents",
        "Planifier et préparer la gestion des incidents de sécurité en définissant à l’avance "
        "processus, rôles et responsabilités.",
        "Plan and prepare incident management by defining processes, roles and "
        "responsibilities in advance.",
    ),
    _control(
        "A.5.25",
        "Qualification des événements de sécurité",
        "Triage of security events",
        "Évaluer les événements de sécurité et décider s’ils doivent être traités comme des "
        "incidents.",
        "Assess security events and decide whether they should be handled as incidents.",
    ),
    _control(
        "A.5.26",
        "Traitement des incidents de sécurité",
        "Handling security incidents",
        "Traiter les incidents de sécurité selon des procédures documentées : confinement, "
        "éradication, rétablissement et communication.",
        "Handle security incidents following documented procedures: containment, eradication, "
        "recovery and communication.",
    ),
    _control(
        "A.5.27",
        "Retour d’expérience sur les incidents",
        "Lessons learned from incidents",
        "Exploiter les enseignements tirés des incidents pour renforcer et améliorer les mesures "
        "de sécurité.",
        "Use what incidents teach to strengthen and improve security controls.",
    ),
    _control(
        "A.5.28",
        "Collecte et conservation des preuves",
        "Evidence collection and preservation",
        "Définir des procédures pour identifier, recueillir et conserver les preuves liées aux "
        "événements de sécurité, en préservant leur valeur probante.",
        "Define procedures to identify, gather and preserve evidence related to security "
        "events without spoiling its value in court.",
    ),
    _control(
        "A.5.29",
        "Sécurité en situation de crise",
        "Security during a disruption",
        "Prévoir comment maintenir la sécurité de l’information à un niveau approprié pendant "
        "une perturbation ou une crise.",
        "Plan how to keep information security at the right level during a disruption or crisis.",
    ),
    _control(
        "A.5.30",
        "Continuité des TIC",
        "ICT continuity",
        "Planifier, mettre en œuvre, maintenir et tester la capacité des TIC à assurer la "
        "continuité, d’après les objectifs de continuité d’activité.",
        "Plan, implement, maintain and test the ability of ICT to keep running, based on "
        "business continuity objectives.",
    ),
    _control(
        "A.5.31",
        "Exigences légales, réglementaires et contractuelles",
        "Legal, regulatory and contractual requirements",
        "Identifier, documenter et tenir à jour les exigences légales, réglementaires et "
        "contractuelles applicables à la sécurité (Code de la santé publique, RGPD, HDS...) et "
        "la manière d’y répondre.",
        "Identify, document and keep current the legal, regulatory and contractual requirements "
        "that apply to security, and how the organization meets them.",
    ),
    _control(
        "A.5.32",
        "Respect de la propriété intellectuelle",
        "Respecting intellectual property",
        "Mettre en place des procédures pour protéger les droits de propriété intellectuelle, "
        "notamment le respect des licences logicielles.",
        "Put procedures in place to protect intellectual property rights, including compliance "
        "with software licenses.",
    ),
    _control(
        "A.5.33",
        "Protection des registres et enregistrements",
        "Protecting records",
        "Protéger les enregistrements contre la perte, la destruction, la falsification, "
        "l’accès et la divulgation non autorisés.",
        "Protect records against loss, destruction, falsification and unauthorized access or "
        "release.",
    ),
    _control(
        "A.5.34",
        "Vie privée et protection des données personnelles",
        "Privacy and personal data protection",
        "Identifier et respecter les exigences de protection de la vie privée et des données à "
        "caractère personnel, en particulier celles du RGPD.",
        "Identify and meet the requirements for privacy and personal data protection, the GDPR "
        "in particular.",
    ),
    _control(
        "A.5.35",
        "Revue indépendante de la sécurité",
        "Independent security review",
        "Faire revoir de manière indépendante l’approche de l’organisme en matière de sécurité, "
        "à intervalles planifiés ou après un changement important.",
        "Have the organization's approach to security reviewed independently at planned "
        "intervals or after major change.",
    ),
    _control(
        "A.5.36",
        "Respect des politiques et normes de sécurité",
        "Compliance with security policies and standards",
        "Vérifier régulièrement le respect de la politique de sécurité, des politiques "
        "thématiques, des règles et des normes de l’organisme.",
        "Regularly check compliance with the security policy, topic-specific policies, rules "
        "and standards of the organization.",
    ),
    _control(
        "A.5.37",
        "Procédures d’exploitation écrites",
        "Written operating procedures",
        "Documenter les procédures d’exploitation des moyens de traitement de l’information et "
        "les mettre à disposition de ceux qui en ont besoin.",
        "Document the operating procedures for information processing facilities and make them "
        "available to those who need them.",
    ),
)

PEOPLE_CONTROLS: tuple[NodeData, ...] = (
    _heading("A.6", None, "A.6", "Mesures liées aux personnes", "People-related controls"),
    _control(
        "A.6.1",
        "Vérifications préalables à l’embauche",
        "Background checks on candidates",
        "Vérifier les antécédents des candidats avant leur arrivée, puis périodiquement, dans le "
        "respect du droit et en proportion des risques du poste.",
        "Check candidates' backgrounds before they join and periodically afterwards, within the "
        "law and in proportion to the risks of the role.",
    ),
    _control(
        "A.6.2",
        "Sécurité dans le contrat de travail",
        "Security in employment contracts",
        "Le contrat de travail précise les responsabilités du salarié et de l’organisme en "
        "matière de sécurité de l’information.",
        "Employment contracts state the employee's and the organization's information security "
        "responsibilities.",
    ),
    _control(
        "A.6.3",
        "Sensibilisation et formation à la sécurité",
        "Security awareness and training",
        "Sensibiliser et former le personnel et les parties concernées à la sécurité, avec des "
        "mises à jour régulières sur les politiques et procédures utiles à leur poste.",
        "Give staff and relevant parties security awareness and training, with regular updates "
        "on the policies and procedures that matter for their job.",
    ),
    _control(
        "A.6.4",
        "Sanctions disciplinaires",
        "Disciplinary measures",
        "Formaliser et faire connaître une procédure disciplinaire applicable aux personnes qui "
        "enfreignent la politique de sécurité.",
        "Formalize and make known a disciplinary process for people who breach the security "
        "policy.",
    ),
    _control(
        "A.6.5",
        "Obligations après départ ou mobilité",
        "Duties after leaving or changing roles",
        "Définir, communiquer et faire respecter les obligations de sécurité qui perdurent après "
        "le départ ou le changement de poste d’un collaborateur.",
        "Define, communicate and enforce the security duties that remain after someone leaves or "
        "changes role.",
    ),
    _control(
        "A.6.6",
        "Engagements de confidentialité",
        "Confidentiality agreements",
        "Faire signer au personnel et aux tiers des engagements de confidentialité adaptés aux "
        "besoins de l’organisme, documentés et revus régulièrement.",
        "Have staff and third parties sign confidentiality agreements that fit the "
        "organization's needs, documented and regularly reviewed.",
    ),
    _control(
        "A.6.7",
        "Sécurité du télétravail",
        "Teleworking security",
        "Appliquer des mesures de sécurité au télétravail pour protéger les informations "
        "consultées, traitées ou stockées hors des locaux.",
        "Apply security measures to remote work to protect information accessed, processed or "
        "stored off the premises.",
    ),
    _control(
        "A.6.8",
        "Signalement des événements de sécurité",
        "Reporting security events",
        "Donner au personnel un moyen de signaler rapidement, par les canaux prévus, tout "
        "événement de sécurité constaté ou suspecté.",
        "Give staff a way to report any observed or suspected security event quickly through "
        "the proper channels.",
    ),
)

PHYSICAL_CONTROLS: tuple[NodeData, ...] = (
    _heading("A.7", None, "A.7", "Mesures physiques", "Physical security controls"),
    _control(
        "A.7.1",
        "Périmètres physiques sécurisés",
        "Secure physical perimeters",
        "Définir et utiliser des périmètres de sécurité pour protéger les zones qui abritent les "
        "informations et les actifs associés.",
        "Define and use security perimeters to protect the areas that house information and "
        "associated assets.",
    ),
    _control(
        "A.7.2",
        "Contrôle des entrées physiques",
        "Physical entry controls",
        "Protéger les zones sécurisées par des contrôles d’entrée et des points d’accès adaptés "
        "(badges, sas, registre des visiteurs).",
        "Protect secure areas with suitable entry controls and access points (badges, airlocks, "
        "visitor log).",
    ),
    _control(
        "A.7.3",
        "Sécurisation des bureaux et salles",
        "Securing offices and rooms",
        "Concevoir et mettre en œuvre la sécurité physique des bureaux, salles et installations.",
        "Design and implement physical security for offices, rooms and facilities.",
    ),
    _control(
        "A.7.4",
        "Surveillance physique des locaux",
        "Physical monitoring of premises",
        "Surveiller en continu les locaux pour détecter tout accès physique non autorisé "
        "(vidéosurveillance, détection d’intrusion).",
        "Watch premises continuously to detect unauthorized physical access (video "
        "surveillance, intrusion alarms).",
    ),
    _control(
        "A.7.5",
        "Protection contre les risques physiques et environnementaux",
        "Protection from physical and environmental hazards",
        "Concevoir et mettre en œuvre une protection contre l’incendie, l’inondation, les "
        "séismes, la malveillance et les autres menaces physiques ou environnementales.",
        "Design and implement protection against fire, flood, earthquake, malicious damage and "
        "other physical or environmental threats.",
    ),
    _control(
        "A.7.6",
        "Règles de travail en zone sécurisée",
        "Rules for work in secure areas",
        "Définir et appliquer des règles de sécurité pour le travail dans les zones sécurisées.",
        "Define and apply security rules for working in secure areas.",
    ),
    _control(
        "A.7.7",
        "Bureau rangé et écran verrouillé",
        "Tidy desk and locked screen",
        "Définir et faire respecter des règles de bureau rangé (papiers, supports amovibles) et "
        "de verrouillage des écrans.",
        "Define and enforce rules for tidy desks (papers, removable media) and locked screens.",
    ),
    _control(
        "A.7.8",
        "Implantation et protection des équipements",
        "Equipment placement and protection",
        "Installer les équipements dans des emplacements sûrs et les protéger.",
        "Place equipment in safe locations and protect it.",
    ),
    _control(
        "A.7.9",
        "Sécurité des actifs hors site",
        "Security of off-site assets",
        "Protéger les actifs utilisés ou conservés en dehors des locaux de l’organisme.",
        "Protect assets used or kept outside the organization's premises.",
    ),
    _control(
        "A.7.10",
        "Gestion des supports de stockage",
        "Storage media handling",
        "Gérer les supports de stockage sur tout leur cycle de vie (acquisition, usage, "
        "transport, mise au rebut) selon le schéma de classification.",
        "Manage storage media throughout their life (acquisition, use, transport, disposal) "
        "according to the classification scheme.",
    ),
    _control(
        "A.7.11",
        "Servitudes techniques : énergie et climatisation",
        "Utilities such as power and cooling",
        "Protéger les moyens de traitement de l’information contre les coupures de courant et "
        "les autres défaillances des servitudes (électricité, climatisation, télécoms).",
        "Protect information processing facilities against power cuts and other failures of "
        "supporting utilities (power, cooling, telecoms).",
    ),
    _control(
        "A.7.12",
        "Protection du câblage",
        "Cable protection",
        "Protéger les câbles d’énergie, de données et de télécommunication contre l’interception, "
        "les interférences ou les dommages.",
        "Protect power, data and telecom cables against interception, interference or damage.",
    ),
    _control(
        "A.7.13",
        "Maintenance des équipements",
        "Maintaining equipment",
        "Entretenir correctement les équipements pour préserver la disponibilité, l’intégrité "
        "et la confidentialité des informations.",
        "Maintain equipment properly to preserve the availability, integrity and "
        "confidentiality of information.",
    ),
    _control(
        "A.7.14",
        "Mise au rebut et réemploi sûrs des équipements",
        "Safe disposal and reuse of equipment",
        "Avant mise au rebut ou réemploi, vérifier que les données sensibles et les logiciels "
        "sous licence ont été supprimés ou écrasés de façon sûre des équipements contenant des "
        "supports de stockage.",
        "Before disposal or reuse, check that sensitive data and licensed software have been "
        "removed or securely overwritten from any equipment containing storage media.",
    ),
)

TECHNOLOGICAL_CONTROLS: tuple[NodeData, ...] = (
    _heading("A.8", None, "A.8", "Mesures technologiques", "Technology controls"),
    _control(
        "A.8.1",
        "Sécurité des terminaux utilisateurs",
        "Securing user endpoints",
        "Protéger les informations stockées sur les postes et mobiles des utilisateurs, "
        "traitées par eux ou accessibles depuis eux.",
        "Protect information stored on, processed by or reachable from users' computers and "
        "mobile devices.",
    ),
    _control(
        "A.8.2",
        "Gestion des accès à privilèges",
        "Privileged access management",
        "Restreindre et gérer l’attribution et l’usage des droits d’accès à privilèges, comme "
        "les comptes d’administration.",
        "Restrict and manage the granting and use of privileged access rights such as "
        "administrator accounts.",
    ),
    _control(
        "A.8.3",
        "Limitation de l’accès aux informations",
        "Limiting access to information",
        "Limiter l’accès aux informations et aux actifs conformément à la politique de contrôle "
        "d’accès.",
        "Limit access to information and assets in line with the access control policy.",
    ),
    _control(
        "A.8.4",
        "Protection du code source",
        "Source code protection",
        "Maîtriser les accès en lecture et en écriture au code source, aux outils de "
        "développement et aux bibliothèques logicielles.",
        "Control read and write access to source code, development tools and software libraries.",
    ),
    _control(
        "A.8.5",
        "Authentification forte",
        "Strong authentication",
        "Mettre en œuvre des technologies et procédures d’authentification sûres, adaptées aux "
        "restrictions d’accès, par exemple l’authentification multifacteur.",
        "Use secure authentication technologies and procedures suited to the access "
        "restrictions, for example multi-factor authentication.",
    ),
    _control(
        "A.8.6",
        "Gestion de la capacité",
        "Capacity planning",
        "Surveiller et ajuster l’usage des ressources selon les besoins de capacité actuels et "
        "prévus.",
        "Monitor and adjust resource use according to current and expected capacity needs.",
    ),
    _control(
        "A.8.7",
        "Protection contre les logiciels malveillants",
        "Malware protection",
        "Mettre en place une protection contre les logiciels malveillants, appuyée par la "
        "sensibilisation des utilisateurs.",
        "Put protection against malware in place, backed by user awareness.",
    ),
    _control(
        "A.8.8",
        "Traitement des vulnérabilités techniques",
        "Technical vulnerability management",
        "Se tenir informé des vulnérabilités des systèmes utilisés, évaluer l’exposition et "
        "prendre les mesures adaptées, comme l’application des correctifs.",
        "Keep informed of vulnerabilities in the systems in use, assess exposure and act, for "
        "instance by applying patches.",
    ),
    _control(
        "A.8.9",
        "Gestion des configurations de sécurité",
        "Secure configuration management",
        "Établir, documenter, appliquer, surveiller et revoir les configurations, notamment de "
        "sécurité, des matériels, logiciels, services et réseaux.",
        "Establish, document, apply, monitor and review the configurations, security settings "
        "included, of hardware, software, services and networks.",
    ),
    _control(
        "A.8.10",
        "Effacement des informations",
        "Deleting information",
        "Effacer les informations stockées dans les systèmes, équipements ou autres supports "
        "lorsqu’elles ne sont plus nécessaires.",
        "Delete information held in systems, devices or other media once it is no longer needed.",
    ),
    _control(
        "A.8.11",
        "Masquage et pseudonymisation des données",
        "Data masking and pseudonymization",
        "Masquer, pseudonymiser ou anonymiser les données selon la politique de contrôle "
        "d’accès, les besoins métier et la réglementation.",
        "Mask, pseudonymize or anonymize data according to the access control policy, business "
        "needs and the law.",
    ),
    _control(
        "A.8.12",
        "Prévention des fuites de données",
        "Preventing data leaks",
        "Appliquer des mesures anti-fuite aux systèmes, réseaux et équipements qui traitent, "
        "stockent ou transmettent des informations sensibles.",
        "Apply leak prevention measures to systems, networks and devices that process, store or "
        "transmit sensitive information.",
    ),
    _control(
        "A.8.13",
        "Sauvegardes",
        "Backups",
        "Réaliser et tester régulièrement des sauvegardes des informations, logiciels et "
        "systèmes conformément à la politique de sauvegarde.",
        "Take and regularly test backups of information, software and systems according to the "
        "backup policy.",
    ),
    _control(
        "A.8.14",
        "Redondance des moyens de traitement",
        "Redundant processing facilities",
        "Prévoir une redondance suffisante des moyens de traitement de l’information pour "
        "satisfaire les exigences de disponibilité.",
        "Build enough redundancy into information processing facilities to meet availability "
        "requirements.",
    ),
    _control(
        "A.8.15",
        "Journalisation des événements",
        "Event logging",
        "Produire, conserver, protéger et analyser des journaux qui enregistrent les activités, "
        "exceptions, erreurs et autres événements pertinents.",
        "Produce, keep, protect and analyze logs recording activities, exceptions, faults and "
        "other relevant events.",
    ),
    _control(
        "A.8.16",
        "Détection des comportements anormaux",
        "Monitoring for anomalies",
        "Surveiller réseaux, systèmes et applications pour détecter les comportements anormaux "
        "et agir pour évaluer les incidents potentiels.",
        "Watch networks, systems and applications for abnormal behavior and act to evaluate "
        "potential incidents.",
    ),
    _control(
        "A.8.17",
        "Synchronisation horaire des systèmes",
        "Time synchronization of systems",
        "Synchroniser les horloges des systèmes sur des sources de temps approuvées.",
        "Synchronize system clocks with approved time sources.",
    ),
    _control(
        "A.8.18",
        "Utilitaires à privilèges",
        "Privileged utilities",
        "Restreindre et contrôler étroitement l’usage des utilitaires capables de contourner "
        "les mesures de sécurité des systèmes et applications.",
        "Restrict and tightly control the use of utilities able to bypass system and "
        "application security controls.",
    ),
    _control(
        "A.8.19",
        "Installation de logiciels en production",
        "Software installation in production",
        "Appliquer des procédures et mesures pour maîtriser l’installation de logiciels sur les "
        "systèmes en production.",
        "Apply procedures and measures to control software installation on production systems.",
    ),
    _control(
        "A.8.20",
        "Sécurisation des réseaux",
        "Network security controls",
        "Sécuriser, gérer et contrôler les réseaux et équipements réseau pour protéger les "
        "informations des systèmes et applications.",
        "Secure, manage and control networks and network devices to protect the information in "
        "systems and applications.",
    ),
    _control(
        "A.8.21",
        "Sécurisation des services réseau",
        "Securing network services",
        "Identifier, mettre en œuvre et surveiller les mécanismes de sécurité, niveaux de "
        "service et exigences des services réseau.",
        "Identify, implement and monitor the security mechanisms, service levels and "
        "requirements of network services.",
    ),
    _control(
        "A.8.22",
        "Segmentation des réseaux",
        "Network segmentation",
        "Cloisonner les réseaux de l’organisme par groupes de services, d’utilisateurs et de "
        "systèmes.",
        "Split the organization's networks into segments by groups of services, users and systems.",
    ),
    _control(
        "A.8.23",
        "Filtrage des accès web",
        "Filtering web access",
        "Maîtriser l’accès aux sites web externes pour limiter l’exposition aux contenus "
        "malveillants.",
        "Control access to external websites to reduce exposure to malicious content.",
    ),
    _control(
        "A.8.24",
        "Cryptographie et gestion des clés",
        "Cryptography and key management",
        "Définir et appliquer des règles d’usage de la cryptographie, y compris la gestion des "
        "clés cryptographiques.",
        "Define and apply rules for using cryptography, including cryptographic key management.",
    ),
    _control(
        "A.8.25",
        "Cycle de développement logiciel sécurisé",
        "Secure software development lifecycle",
        "Établir et appliquer des règles pour le développement sécurisé des logiciels et des "
        "systèmes.",
        "Establish and apply rules for developing software and systems securely.",
    ),
    _control(
        "A.8.26",
        "Exigences de sécurité applicatives",
        "Application security requirements definition",
        "Identifier, spécifier et approuver les exigences de sécurité lors du développement ou "
        "de l’acquisition d’applications.",
        "Identify, specify and approve security requirements when developing or acquiring "
        "applications.",
    ),
    _control(
        "A.8.27",
        "Architecture et ingénierie sécurisées",
        "Secure architecture and engineering",
        "Établir, documenter, maintenir et appliquer des principes d’ingénierie sécurisée à tout "
        "développement de système.",
        "Establish, document, maintain and apply secure engineering principles to all system "
        "development.",
    ),
    _control(
        "A.8.28",
        "Pratiques de codage sécurisé",
        "Secure coding practices",
        "Appliquer des principes de codage sécurisé au développement logiciel.",
        "Apply secure coding principles when developing software.",
    ),
    _control(
        "A.8.29",
        "Tests de sécurité avant mise en service",
        "Security testing before go-live",
        "Définir et réaliser des tests de sécurité au cours du développement et avant la recette.",
        "Define and run security tests during development and before acceptance.",
    ),
    _control(
        "A.8.30",
        "Encadrement du développement externalisé",
        "Oversight of outsourced development",
        "Piloter, surveiller et revoir les activités de développement confiées à des prestataires.",
        "Direct, monitor and review development work entrusted to contractors.",
    ),
    _control(
        "A.8.31",
        "Séparation des environnements",
        "Separation of environments",
        "Séparer et sécuriser les environnements de développement, de test et de production.",
        "Keep development, test and production environments separate and secured.",
    ),
    _control(
        "A.8.32",
        "Maîtrise des changements",
        "Change control",
        "Soumettre les changements apportés aux systèmes et moyens de traitement à une "
        "procédure de gestion des changements.",
        "Put changes to systems and processing facilities through a change management procedure.",
    ),
    _control(
        "A.8.33",
        "Protection des données de test",
        "Test data protection",
        "Choisir, protéger et gérer les données de test avec soin, en évitant autant que "
        "possible les données personnelles ou de santé réelles.",
        "Choose, protect and manage test data carefully, avoiding real personal or health data "
        "wherever possible.",
    ),
    _control(
        "A.8.34",
        "Protection des systèmes lors des audits",
        "Protecting systems during audits",
        "Planifier et convenir avec la direction concernée des tests d’audit et autres "
        "vérifications menés sur les systèmes en production, pour en limiter l’impact.",
        "Plan and agree with the relevant management any audit tests or other checks on "
        "production systems, to limit their impact.",
    ),
)

NODES: tuple[NodeData, ...] = (
    CLAUSE_NODES
    + ORGANIZATIONAL_CONTROLS
    + PEOPLE_CONTROLS
    + PHYSICAL_CONTROLS
    + TECHNOLOGICAL_CONTROLS
)
