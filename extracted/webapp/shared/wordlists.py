"""Word lists behind the seed data and the local upstream's dictionary.

The content team's original spreadsheet, trimmed: 40 themes with their most common German
nouns. The seed turns these into a few thousand words by adding the usual compounds
("Apfel" + "preis" = "Apfelpreis", apple price).
"""

# name, icon, CEFR level, description, "German:English|..."
CATEGORIES = [
    ("Food", "🍎", "A1", "Everyday food and groceries",
     "Apfel:apple|Brot:bread|Käse:cheese|Milch:milk|Ei:egg|Butter:butter|Fleisch:meat|Fisch:fish|Reis:rice|Suppe:soup|Kuchen:cake|Zucker:sugar"),
    ("Drinks", "☕", "A1", "Things to drink",
     "Wasser:water|Kaffee:coffee|Tee:tea|Saft:juice|Bier:beer|Wein:wine|Limonade:lemonade|Kakao:cocoa|Sekt:sparkling wine|Schnaps:schnapps"),
    ("Travel", "✈️", "A2", "Trips, tickets and luggage",
     "Reise:trip|Koffer:suitcase|Pass:passport|Fahrkarte:ticket|Flughafen:airport|Bahnhof:station|Hotel:hotel|Urlaub:holiday|Karte:map|Grenze:border|Gepäck:luggage"),
    ("Family", "👪", "A1", "Relatives and family life",
     "Mutter:mother|Vater:father|Bruder:brother|Schwester:sister|Sohn:son|Tochter:daughter|Oma:grandma|Opa:grandpa|Onkel:uncle|Tante:aunt|Cousin:cousin|Familie:family"),
    ("Work", "💼", "B1", "Jobs and the office",
     "Arbeit:work|Büro:office|Chef:boss|Kollege:colleague|Gehalt:salary|Vertrag:contract|Besprechung:meeting|Aufgabe:task|Firma:company|Kunde:customer|Termin:appointment"),
    ("Home", "🏠", "A1", "Rooms and furniture",
     "Haus:house|Wohnung:flat|Zimmer:room|Küche:kitchen|Bad:bathroom|Tisch:table|Stuhl:chair|Bett:bed|Schrank:wardrobe|Fenster:window|Tür:door|Lampe:lamp"),
    ("Body", "💪", "A1", "Parts of the body",
     "Kopf:head|Hand:hand|Fuß:foot|Auge:eye|Ohr:ear|Nase:nose|Mund:mouth|Arm:arm|Bein:leg|Herz:heart|Rücken:back|Zahn:tooth"),
    ("Health", "🏥", "A2", "Doctors and feeling unwell",
     "Arzt:doctor|Krankenhaus:hospital|Medikament:medicine|Schmerz:pain|Fieber:fever|Erkältung:cold|Apotheke:pharmacy|Rezept:prescription|Pflaster:plaster|Termin:appointment|Gesundheit:health"),
    ("Clothing", "👕", "A1", "What we wear",
     "Hemd:shirt|Hose:trousers|Kleid:dress|Rock:skirt|Jacke:jacket|Mantel:coat|Schuh:shoe|Socke:sock|Hut:hat|Schal:scarf|Gürtel:belt|Handschuh:glove"),
    ("Weather", "⛅", "A1", "Sun, rain and seasons",
     "Wetter:weather|Sonne:sun|Regen:rain|Schnee:snow|Wind:wind|Wolke:cloud|Gewitter:thunderstorm|Nebel:fog|Hitze:heat|Kälte:cold|Himmel:sky"),
    ("Animals", "🐶", "A1", "Pets, farm and wild animals",
     "Hund:dog|Katze:cat|Pferd:horse|Kuh:cow|Schwein:pig|Vogel:bird|Maus:mouse|Bär:bear|Wolf:wolf|Fuchs:fox|Hase:rabbit|Schaf:sheep"),
    ("Nature", "🌲", "A2", "Landscape and plants",
     "Baum:tree|Blume:flower|Wald:forest|Berg:mountain|See:lake|Fluss:river|Meer:sea|Wiese:meadow|Stein:stone|Insel:island|Strand:beach"),
    ("City", "🏙️", "A2", "Streets and places in town",
     "Stadt:city|Straße:street|Platz:square|Brücke:bridge|Kirche:church|Rathaus:town hall|Park:park|Museum:museum|Markt:market|Ecke:corner|Ampel:traffic light"),
    ("Transport", "🚌", "A1", "Getting around",
     "Auto:car|Bus:bus|Zug:train|Fahrrad:bicycle|Flugzeug:plane|Schiff:ship|Taxi:taxi|Straßenbahn:tram|Haltestelle:stop|Motorrad:motorbike|Fahrer:driver"),
    ("School", "🏫", "A1", "Classroom and learning",
     "Schule:school|Lehrer:teacher|Schüler:pupil|Klasse:class|Heft:notebook|Stift:pen|Tafel:blackboard|Prüfung:exam|Note:grade|Pause:break|Hausaufgabe:homework"),
    ("University", "🎓", "B1", "Studying and research",
     "Universität:university|Studium:studies|Vorlesung:lecture|Semester:semester|Professor:professor|Bibliothek:library|Abschluss:degree|Forschung:research|Seminar:seminar|Stipendium:scholarship"),
    ("Shopping", "🛒", "A1", "Shops, prices and paying",
     "Geschäft:shop|Preis:price|Kasse:checkout|Tasche:bag|Angebot:offer|Rechnung:bill|Geld:money|Quittung:receipt|Größe:size|Rabatt:discount|Verkäufer:salesperson"),
    ("Kitchen", "🍳", "A2", "Cooking tools and verbs",
     "Topf:pot|Pfanne:pan|Messer:knife|Gabel:fork|Löffel:spoon|Teller:plate|Tasse:cup|Glas:glass|Ofen:oven|Herd:stove|Schüssel:bowl"),
    ("Sports", "⚽", "A2", "Games and exercise",
     "Sport:sport|Fußball:football|Ball:ball|Mannschaft:team|Spiel:game|Tor:goal|Lauf:run|Schwimmbad:swimming pool|Training:training|Sieg:victory|Schiedsrichter:referee"),
    ("Hobbies", "🎨", "A2", "Free time",
     "Hobby:hobby|Musik:music|Buch:book|Film:film|Garten:garden|Foto:photo|Gitarre:guitar|Spiel:game|Tanz:dance|Malerei:painting|Wanderung:hike"),
    ("Music", "🎵", "B1", "Instruments and concerts",
     "Lied:song|Konzert:concert|Klavier:piano|Geige:violin|Trommel:drum|Sänger:singer|Band:band|Chor:choir|Melodie:melody|Bühne:stage|Ton:note"),
    ("Technology", "💻", "B1", "Computers and phones",
     "Computer:computer|Handy:mobile phone|Bildschirm:screen|Tastatur:keyboard|Drucker:printer|Datei:file|Passwort:password|Netz:network|Programm:program|Akku:battery|Kabel:cable"),
    ("Internet", "🌐", "B1", "Online life",
     "Internet:internet|Seite:page|Nachricht:message|Konto:account|Suche:search|Link:link|Video:video|Kommentar:comment|Benutzer:user|Daten:data"),
    ("Time", "⏰", "A1", "Days, months and hours",
     "Tag:day|Woche:week|Monat:month|Jahr:year|Stunde:hour|Minute:minute|Morgen:morning|Abend:evening|Nacht:night|Uhr:clock|Kalender:calendar"),
    ("Colors", "🎨", "A1", "Colours and shades",
     "Farbe:colour|Rot:red|Blau:blue|Grün:green|Gelb:yellow|Schwarz:black|Weiß:white|Grau:grey|Braun:brown|Rosa:pink|Lila:purple"),
    ("Numbers", "🔢", "A1", "Counting and quantities",
     "Zahl:number|Hälfte:half|Drittel:third|Viertel:quarter|Paar:pair|Dutzend:dozen|Summe:sum|Menge:amount|Prozent:percent|Million:million"),
    ("Emotions", "😊", "B1", "Feelings and moods",
     "Freude:joy|Angst:fear|Wut:anger|Liebe:love|Trauer:grief|Hoffnung:hope|Glück:happiness|Stolz:pride|Neid:envy|Scham:shame|Sorge:worry"),
    ("Personality", "🧠", "B1", "Character traits",
     "Geduld:patience|Mut:courage|Ehrlichkeit:honesty|Humor:humour|Fleiß:diligence|Neugier:curiosity|Faulheit:laziness|Vertrauen:trust|Charakter:character|Laune:mood"),
    ("Politics", "🏛️", "B2", "Government and elections",
     "Regierung:government|Wahl:election|Partei:party|Gesetz:law|Minister:minister|Parlament:parliament|Bürger:citizen|Staat:state|Steuer:tax|Debatte:debate|Mehrheit:majority"),
    ("Economy", "📈", "B2", "Business and money",
     "Wirtschaft:economy|Markt:market|Handel:trade|Bank:bank|Zins:interest|Kredit:loan|Aktie:share|Gewinn:profit|Verlust:loss|Unternehmen:company|Wachstum:growth"),
    ("Environment", "♻️", "B2", "Climate and protection",
     "Umwelt:environment|Klima:climate|Müll:rubbish|Energie:energy|Luft:air|Verschmutzung:pollution|Abfall:waste|Strom:electricity|Erwärmung:warming|Natur:nature|Schutz:protection"),
    ("Law", "⚖️", "C1", "Courts and rights",
     "Gericht:court|Richter:judge|Anwalt:lawyer|Urteil:verdict|Recht:right|Strafe:penalty|Zeuge:witness|Klage:lawsuit|Beweis:evidence|Polizei:police|Verbrechen:crime"),
    ("Science", "🔬", "B2", "Experiments and discoveries",
     "Wissenschaft:science|Versuch:experiment|Labor:laboratory|Theorie:theory|Ergebnis:result|Messung:measurement|Zelle:cell|Stoff:substance|Atom:atom|Entdeckung:discovery"),
    ("Art", "🖼️", "B1", "Museums and artists",
     "Kunst:art|Bild:picture|Maler:painter|Ausstellung:exhibition|Skulptur:sculpture|Galerie:gallery|Farbe:paint|Pinsel:brush|Leinwand:canvas|Künstler:artist"),
    ("Media", "📰", "B1", "News and press",
     "Zeitung:newspaper|Zeitschrift:magazine|Artikel:article|Nachrichten:news|Sendung:broadcast|Journalist:journalist|Interview:interview|Bericht:report|Schlagzeile:headline|Radio:radio"),
    ("Holidays", "🎄", "A2", "Celebrations and festivals",
     "Fest:festival|Geburtstag:birthday|Weihnachten:Christmas|Ostern:Easter|Geschenk:present|Feier:party|Kerze:candle|Hochzeit:wedding|Gast:guest|Feuerwerk:fireworks"),
    ("Restaurant", "🍽️", "A2", "Eating out",
     "Restaurant:restaurant|Kellner:waiter|Speisekarte:menu|Vorspeise:starter|Hauptgericht:main course|Nachtisch:dessert|Trinkgeld:tip|Tisch:table|Koch:cook|Reservierung:reservation"),
    ("Fruits & Vegetables", "🥕", "A1", "At the greengrocer's",
     "Banane:banana|Birne:pear|Erdbeere:strawberry|Kirsche:cherry|Traube:grape|Karotte:carrot|Kartoffel:potato|Tomate:tomato|Zwiebel:onion|Gurke:cucumber|Salat:lettuce|Paprika:pepper"),
    ("Professions", "👷", "A2", "Jobs people do",
     "Bäcker:baker|Lehrerin:teacher|Ingenieur:engineer|Krankenschwester:nurse|Polizist:police officer|Bauer:farmer|Mechaniker:mechanic|Friseur:hairdresser|Architekt:architect|Pilot:pilot|Richterin:judge"),
    ("Feelings & Senses", "👂", "B1", "Seeing, hearing, tasting",
     "Geschmack:taste|Geruch:smell|Gefühl:feeling|Blick:look|Geräusch:noise|Stimme:voice|Licht:light|Schatten:shadow|Wärme:warmth|Stille:silence"),
]

# Compound heads: (German, English). "Apfel" + "preis" -> "Apfelpreis" / "apple price".
COMPOUND_HEADS = [
    ("preis", "price"), ("liste", "list"), ("bild", "picture"), ("buch", "book"),
    ("zeit", "time"), ("geschäft", "shop"), ("plan", "plan"), ("sorte", "kind"),
    ("name", "name"), ("frage", "question"), ("karte", "card"), ("menge", "quantity"),
]

PARTS_OF_SPEECH = ["noun", "noun", "noun", "verb", "adjective"]

ADJECTIVES = [
    ("groß", "big"), ("klein", "small"), ("neu", "new"), ("alt", "old"), ("schön", "beautiful"),
    ("schnell", "fast"), ("langsam", "slow"), ("gut", "good"), ("schlecht", "bad"),
    ("warm", "warm"), ("kalt", "cold"), ("teuer", "expensive"), ("billig", "cheap"),
    ("leicht", "easy"), ("schwer", "difficult"), ("laut", "loud"), ("leise", "quiet"),
]

VERBS = [
    ("gehen", "to go"), ("kommen", "to come"), ("machen", "to make"), ("sehen", "to see"),
    ("essen", "to eat"), ("trinken", "to drink"), ("kaufen", "to buy"), ("lernen", "to learn"),
    ("schreiben", "to write"), ("lesen", "to read"), ("sprechen", "to speak"), ("fahren", "to drive"),
    ("arbeiten", "to work"), ("spielen", "to play"), ("wohnen", "to live"), ("schlafen", "to sleep"),
]


def parse_pairs(spec):
    pairs = []
    for item in spec.split("|"):
        german, english = item.split(":", 1)
        pairs.append((german, english))
    return pairs


def compound(base, head):
    """German compound of a noun and a head noun (no linking element, as the sheet had it)."""
    german_base, english_base = base
    german_head, english_head = head
    return german_base + german_head, f"{english_base} {english_head}"


def lexicon():
    """German -> English for every listed word (lower-cased keys)."""
    lex = {}
    for _name, _icon, _level, _desc, spec in CATEGORIES:
        for german, english in parse_pairs(spec):
            lex.setdefault(german.lower(), english)
    for german, english in ADJECTIVES + VERBS + COMPOUND_HEADS:
        lex.setdefault(german.lower(), english)
    return lex
