"""German word lists that decide sentence and clause boundaries."""

from __future__ import annotations

ABBREVIATIONS = frozenset(
    """
    Abb Abg Abk Abs Abschn Abt Adr allg Anh Anl Anm Apr Art Aufl Ausg Az Bd Bde Bearb bes betr
    Betr Bez Bgm Bhf Bl Bsp bsp bspw Bspw bzgl Bzgl bzw Bzw ca Ca Chr Co Corp dgl Dipl Dir Dkfm
    Doz Dr Dres dt ebd Ebd eig eigtl einschl entspr erg etc ev evtl Evtl exkl Exkl Fa Fam ff Fig
    fig Forts Fr Frl frz geb Gebr gegr gem Gem gesch gest ggf Ggf ggfs Ggfs Hbf hg Hg Hptm Hr Hrn
    Hrsg habil Inc Ing inkl Inkl insb Insb jährl Jg Jh Jhd Jhdt jr Jr jun jur Kap kath Kfm kgl
    Kl Kto lat lfd Lfg lit lt Lt Ltd Mag max med Mill min Mio Mitgl mind Mr Mrd Mrs Ms mtl
    näml Nachf nat Nr Nrn od oec österr Pfd phil Pkt pp Präs Prof Prov rd resp rer Rn röm schweiz
    sen Sen sog Sog Sr St Std Stv stv Str Tab Tel techn Tsd Univ usf usw Verf Verl vgl Vgl vlt
    Vol Vors vs wg Wwe zit zus zzgl Zzgl zz zzt Zt dent vet Pos Ziff Buchst Lfd
    """.split()
)
# Month and weekday abbreviations, and `Art.` (Artikel), which are also ordinary words or names.
_WORDLIKE_ABBREVIATIONS = frozenset(
    "Jan Jän Feb Mär Mrz Jun Jul Aug Sep Sept Okt Nov Dez Mo Di Mi Do Sa Art".split()
)
ABBREVIATIONS = ABBREVIATIONS | _WORDLIKE_ABBREVIATIONS
# Abbreviations that often end a sentence: split after them when a capitalized function word follows.
FINAL_ABBREVIATIONS = _WORDLIKE_ABBREVIATIONS | frozenset(
    "usw usf etc ff dgl Chr Jh Jhd Jhdt Mio Mrd Tsd Std min Co Corp Inc Ltd Jr Sr jr jun sen "
    "o.ä u.ä u.s.w u.v.m u.a.m e.V a.D i.R".split()
)
MONTHS = frozenset(
    "Jan Jän Feb Mär Mrz Apr Jun Jul Aug Sep Sept Okt Nov Dez "
    "Januar Jänner Februar Feber März April Mai Juni Juli August September Oktober November "
    "Dezember".split()
)
# Capitalized function words: after a period they almost always start a new sentence.
STARTERS = frozenset(
    """
    Der Die Das Den Dem Des Ein Eine Einer Eines Einem Einen Er Sie Es Wir Ich Ihr Man Dies Diese
    Dieser Dieses Diesem Diesen Dort Dabei Damit Danach Dann Daher Darum Dazu Deshalb Dafür
    Dagegen Demnach Denn Doch Aber Auch Und Oder So Nun Jetzt Heute Hier Da Als Wie Was Wer Wo
    Wenn Im In Am An Auf Aus Bei Mit Nach Vor Seit Für Von Vom Zum Zur Zu Laut Trotz Nicht Kein
    Keine Nur Noch Schon Bereits Zudem Außerdem Allerdings Jedoch Trotzdem Somit Also Alle Viele
    Einige Mehrere Sein Seine Ihre Unser Unsere Mein Meine Weil Ob Obwohl Während Zwar Gleichzeitig
    Inzwischen Mittlerweile Später Zuvor Damals Derzeit The This It He She They We
    """.split()
)
# Words before "N." that make N an ordinal (`der 2. Weltkrieg`, `am 3. Spieltag`).
DETERMINERS = frozenset(
    """
    der die das den dem des am im vom zum zur beim ins ans ein eine einer eines einem einen jeder
    jede jedes jedem jeden sein seine seinem seinen seiner seines ihr ihre ihrem ihren ihrer ihres
    unser unsere unserem unseren unserer dieser diese dieses diesem diesen
    """.split()
)
# Lowercase words a title does not end with, but a hard-wrapped line may (`Er kam am` / `3. Mai`).
LINKING_WORDS = DETERMINERS | frozenset(
    """
    an auf aus bei bis durch für gegen in mit nach ohne seit über um unter von vor zu zwischen
    und oder aber sondern denn dass weil wenn als wie ob sowie noch auch nur nicht sich
    """.split()
)
# Nouns that typically follow an ordinal number.
ORDINAL_NOUNS = frozenset(
    """
    OG UG Obergeschoss Untergeschoss Mahnung Mahnstufe Instanz Kammer Senat
    Platz Rang Stock Stockwerk Etage Klasse Jahrhundert Jh Jahrhunderts Jahrtausend Weltkrieg Mal
    Runde Spieltag Liga Bundesliga Auflage Geburtstag Jahrestag Todestag Stelle Minute Halbzeit
    Kapitel Absatz Artikel Sinfonie Symphonie Stufe Grades Ordnung Quartal Semester Lebensjahr
    Bezirk Gemeindebezirk Akt Staffel Sitzung Legislaturperiode Amtszeit Durchgang Etappe Hälfte
    Generation Kreuzzug Division Hauptrunde Instanz Lesung Fall Versuch Anlauf
    """.split()
)
# Words that start a new clause: `split_to_fit` breaks before them.
CONJUNCTIONS = frozenset(
    """
    und oder aber sondern weil dass daß denn während obwohl wenn sowie sodass nachdem bevor indem
    falls wobei weshalb weswegen obgleich wohingegen
    """.split()
)
