#!/usr/bin/env python3
"""Writes the spreadsheet fixtures of journey 1: the list of ~700 organisations a coordinator
gets from the social department, as Excel saves it (Windows-1252, semicolons, German headers),
with three broken rows and a few duplicates; and the same list with the three rows fixed.
Deterministic: run it again and the files are the same. Everything in it is fictitious."""
import random, os

here = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures')
rnd = random.Random(2016)
towns = [("Hannover", 535), ("Garbsen", 62), ("Langenhagen", 55), ("Neustadt am Rübenberge", 46), ("Lehrte", 45),
         ("Laatzen", 43), ("Wunstorf", 42), ("Barsinghausen", 34), ("Seelze", 34), ("Burgdorf", 32), ("Springe", 30),
         ("Wedemark", 30), ("Isernhagen", 25), ("Ronnenberg", 24), ("Sehnde", 24), ("Burgwedel", 21), ("Uetze", 20),
         ("Hemmingen", 19), ("Gehrden", 15), ("Pattensen", 15), ("Wennigsen (Deister)", 14)]
kinds = [("Migrantenselbstorganisation", 0.30, ["Deutsch-Türkischer Elternverein", "Syrischer Kulturverein", "Afghanischer Frauenverein", "Polnische Gemeinde", "Ukrainischer Verein", "Kurdisches Kulturzentrum", "Eritreische Gemeinschaft", "Russischsprachiger Familienverein"]),
         ("Wohlfahrtsverband", 0.18, ["Caritasverband", "Diakonisches Werk", "AWO Ortsverein", "DRK Kreisverband", "Paritätischer Verein"]),
         ("Bildungseinrichtung", 0.20, ["Grundschule", "Oberschule", "Volkshochschule", "Familienzentrum", "Kita Sonnenblume", "Sprachschule"]),
         ("Arbeitgeber/Kammer", 0.10, ["Handwerksbetrieb Müller", "Pflegedienst Jäger", "Logistik GmbH", "Bäckerei Schäfer", "Ingenieurbüro Größler"]),
         ("Gesundheit", 0.08, ["Hausarztpraxis", "Klinikum", "Beratungsstelle Gesundheit", "Hebammenpraxis"]),
         ("Kommune/Verwaltung", 0.08, ["Gleichstellungsbüro", "Stadtteilbüro", "Ordnungsamt", "Jugendamt"]),
         ("Sonstige", 0.06, ["Sportverein Grün-Weiß", "Bürgerstiftung", "Kirchengemeinde St. Jürgen", "Nachbarschaftsinitiative"])]
first = ["Ayse", "Mehmet", "Jürgen", "Anna", "Fatma", "Olga", "Ahmad", "Zahra", "Krzysztof", "Oksana", "Hüseyin", "Björn", "Gülsen", "Dmitri", "Leyla", "Sören"]
last = ["Yilmaz", "Müller", "Schröder", "Kaya", "Nowak", "Haddad", "Rahimi", "Kowalenko", "Öztürk", "Weiß", "Krüger", "Petrenko"]
roles = ["Vorsitz", "Geschäftsführung", "Leitung", "Koordination", "Ehrenamt"]
langs = ["de", "tr", "ar", "fa", "pl", "ru", "uk", "en", "ku", "ti"]

def pick_town():
    total = sum(w for _, w in towns)
    x = rnd.uniform(0, total)
    for t, w in towns:
        x -= w
        if x <= 0:
            return t
    return towns[0][0]

def pick_kind():
    x = rnd.random()
    for k, w, names in kinds:
        x -= w
        if x <= 0:
            return k, names
    return kinds[-1][0], kinds[-1][2]

def slug(s):
    tr = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ş": "s", "ı": "i", "ğ": "g", "ç": "c", "é": "e", " ": "-", "(": "", ")": "", "/": "-", ".": ""})
    return s.lower().translate(tr)

rows = []
used = set()
i = 0
while len(rows) < 700:
    i += 1
    kind, names = pick_kind()
    town = pick_town()
    name = f"{rnd.choice(names)} {town.split(' (')[0]} {i}"  # numbered: never the same as a demo name
    if (name, town) in used:
        continue
    used.add((name, town))
    person = f"{rnd.choice(first)} {rnd.choice(last)}"
    email = f"{slug(person.split()[0])}.{i}@{slug(name)[:20].strip('-')}.example"
    fields = ",".join(sorted(set(str(rnd.randint(1, 8)) for _ in range(rnd.randint(1, 3)))))
    lang = ",".join(sorted(set(["de"] + rnd.sample(langs, rnd.randint(0, 2)))))
    consent = f"{rnd.randint(1, 28):02d}.{rnd.randint(1, 12):02d}.2015" if rnd.random() < 0.7 else ""
    rows.append([name, kind, town, fields, lang, person, email, rnd.choice(roles), consent, "fiktiv"])

header = ["Organisation", "Art", "Stadt/Gemeinde", "Handlungsfelder", "Sprachen", "Ansprechperson", "E-Mail", "Funktion", "Einwilligung", "Bemerkungen"]

def write(path, data):
    with open(path, "w", encoding="cp1252", newline="") as f:
        for r in [header] + data:
            f.write(";".join(('"' + c.replace('"', '""') + '"') if (";" in c or '"' in c) else c for c in r) + "\r\n")

fixed = [list(r) for r in rows]
broken = [list(r) for r in rows]
# Three broken rows: lines 15, 120 and 435 of the file (two duplicates are inserted before 435).
broken[13][6] = "kontakt(at)elternverein.example"      # an e-mail address that is not one
broken[118][2] = "Hannnover"                            # a municipality that does not exist
broken[431][1] = ""                                     # no kind
# Duplicates: the same e-mail twice, and an organisation listed again with a second contact.
dup_email = list(rows[20]); dup_email[0] = dup_email[0] + " e.V."
dup_org = list(rows[30]); dup_org[5] = "Zweite Person"; dup_org[6] = "zweite.person@" + rows[30][6].split("@")[1]
for data in (broken, fixed):
    data.insert(200, list(dup_email))
    data.insert(300, list(dup_org))
write(os.path.join(here, "organisationen-sozialamt.csv"), broken)
write(os.path.join(here, "organisationen-sozialamt-korrigiert.csv"), fixed)
print(len(broken), "rows")
