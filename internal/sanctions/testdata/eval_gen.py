#!/usr/bin/env python3
"""Writes eval.jsonl: labelled vessel-screening queries against the OFAC
SDN extract ofac/sdn_2024-05-03_vessels_and_owners.csv.

Run from this directory: python3 eval_gen.py > eval.jsonl
Deterministic (seeded). Every expected entity ID is the OFAC ent_num of the
vessel the query describes; "none" means the query describes a ship that is
not on the list (made-up names, IMO numbers with valid check digits that are
not on the list, MMSIs from real MIDs). Labels are the truth about which ship
is meant, not what any matcher returns."""
import csv, json, random, re

rnd = random.Random(20240503)
rows = list(csv.reader(open('ofac/sdn_2024-05-03_vessels_and_owners.csv', encoding='utf-8')))
def f(r, i):
    s = r[i].strip()
    return '' if s == '-0-' else s
V = {r[0]: r for r in rows if r[2] == 'vessel'}

def imo_of(r):
    m = re.search(r'(?:Vessel Registration Identification|Identification Number) IMO (\d{7})', r[11])
    return m.group(1) if m else ''
def mmsi_of(r):
    m = re.search(r'MMSI (\d{9})', r[11])
    return m.group(1) if m else ''
def fka(r):
    return re.findall(r"f\.k\.a\. '([^']+)'", r[11])
def aka(r):
    return re.findall(r"a\.k\.a\. '([^']+)'", r[11])
def check(n):
    d = [int(c) for c in n]
    return sum(d[i] * (7 - i) for i in range(6)) % 10 == d[6]
listed_imos = {imo_of(r) for r in V.values()}
def norm(s):
    return ' '.join(re.sub(r'[^A-Z0-9]+', ' ', s.upper()).split())
name_count = {}
for r in V.values():
    for n in [r[1]] + fka(r) + aka(r):
        name_count[norm(n)] = name_count.get(norm(n), 0) + 1

out = []
def add(cat, q, expect, note=''):
    q = {k: v for k, v in q.items() if v}
    out.append({'id': 'q%03d' % (len(out) + 1), 'category': cat, 'query': q, 'expect': expect, 'note': note})

ids = sorted(V, key=int)
# A. IMO exact, three spellings.
withimo = [i for i in ids if imo_of(V[i]) and check(imo_of(V[i]))]
for k, i in enumerate(rnd.sample(withimo, 24)):
    imo = imo_of(V[i])
    add('imo', {'imo': ['IMO ' + imo, 'IMO' + imo, imo][k % 3]}, i)
# B. distinctive multi-word names, exact; one name on the list only.
multi = [i for i in ids if len(norm(V[i][1]).split()) >= 2 and name_count[norm(V[i][1])] == 1
         and not re.search(r'\d', V[i][1])]
for i in rnd.sample(multi, 20):
    add('name', {'name': V[i][1]}, i)
# C. spelling variants of names with numbers or hyphens, with the flag.
def variant(name, k):
    n = name
    if k % 4 == 0:
        n = n.replace('-', ' ')
    elif k % 4 == 1:
        n = 'M/V ' + n.title()
    elif k % 4 == 2:
        n = n.replace(' ', '').replace('-', '') if re.search(r'\d', n) else n.lower()
    else:
        n = 'MT. ' + n.replace('-', '')
    return n
numbered = [i for i in ids if re.search(r'[- ]\d|-', V[i][1]) and name_count[norm(V[i][1])] == 1 and len(norm(V[i][1])) >= 5]
for k, i in enumerate(rnd.sample(numbered, 16)):
    add('variant', {'name': variant(V[i][1], k), 'flag': f(V[i], 9)}, i, 'from ' + V[i][1])
roman = {'1': 'I', '2': 'II', '3': 'III', '4': 'IV', '5': 'V', '6': 'VI', '7': 'VII', '8': 'VIII', '9': 'IX'}
for name, i in [('MAIA 1', '37098'), ('MAIA I', '37098'), ('SPARTA 4', '37029'), ('SPARTA-IV', '37029'), ('ARK 3', '15037'), ('ARGO 1', '15038'),
                ('SAKHALIN IX', '44278'), ('ARCTICA II', '48886'), ('PORT OLYA I', '37103')]:
    add('variant', {'name': name}, i, 'numeral or hyphen variant of ' + V[i][1])
# D. former names (f.k.a.) with a corroborating identifier or flag.
formers = [(i, n) for i in ids for n in fka(V[i]) if name_count[norm(n)] == 1 and len(norm(n)) >= 6]
for k, (i, n) in enumerate(rnd.sample(formers, 16)):
    q = {'name': n}
    if k % 2 == 0 and mmsi_of(V[i]):
        q['mmsi'] = mmsi_of(V[i])
    elif f(V[i], 5):
        q['callsign'] = f(V[i], 5)
    else:
        q['flag'] = f(V[i], 9)
    add('former', q, i, 'former name of ' + V[i][1])
# E. aliases.
alias = [(i, n) for i in ids for n in aka(V[i]) if name_count[norm(n)] == 1 and len(norm(n)) >= 6]
for i, n in alias[:6]:
    add('alias', {'name': n, 'flag': f(V[i], 9)}, i, 'a.k.a. of ' + V[i][1])
# F. Cyrillic spellings of Russian-flagged vessels (with the flag).
for cyr, i in [('АНГАРА', '37059'), ('СПАРТА IV', '37029'), ('МАЙЯ-1', '37098'), ('БАЛТИЙСКИЙ-111', '47716'), ('АСКАР-САРЫДЖА', '37068'),
               ('ПОРТ ОЛЯ-1', '37103'), ('С. КУЗНЕЦОВ', '37052'), ('КАПИТАН БЕКЛЕМИШЕВ', '31938'), ('МЕХАНИК ПУСТОШНЫЙ', '37047'),
               ('АКАДЕМИК ЧЕРСКИЙ', '31920'), ('МИХАИЛ ЛОМОНОСОВ', '37051'), ('ИНЖЕНЕР ВЕШНЯКОВ', '37035'), ('ГЕЛЕНДЖИК', '48034'),
               ('МЫС ЖЕЛАНИЯ', '48818'), ('ЮЖМОРГЕОЛОГИЯ', '48037'), ('АНАСТАСИЯ', '37067')]:
    add('cyrillic', {'name': cyr, 'flag': 'RU'}, i, 'Cyrillic of ' + V[i][1])
add('cyrillic', {'name': 'МАРИЯ', 'imo': '8517839'}, '46773', 'MARIA with its IMO')
add('cyrillic', {'name': 'МАРИЯ'}, 'none', 'common name alone')
# G. typos in distinctive names (one edit), some with the flag.
def typo(s, k):
    p = rnd.randrange(1, len(s) - 1)
    while not s[p].isalpha():
        p = rnd.randrange(1, len(s) - 1)
    if k % 3 == 0:
        return s[:p] + s[p + 1:]
    if k % 3 == 1:
        return s[:p] + s[p + 1] + s[p] + s[p + 2:] if s[p + 1].isalpha() else s[:p] + 'X' + s[p + 1:]
    return s[:p] + rnd.choice('AEIOURSTN'.replace(s[p], '')) + s[p + 1:]
long_names = [i for i in ids if len(norm(V[i][1]).replace(' ', '')) >= 8 and name_count[norm(V[i][1])] == 1]
for k, i in enumerate(rnd.sample(long_names, 16)):
    q = {'name': typo(V[i][1], k)}
    if k % 2:
        q['flag'] = f(V[i], 9)
    add('typo', q, i, 'typo of ' + V[i][1])
# H. look-alikes and traps.
for q, e, note in [
    ({'name': 'SASCO ANGARA'}, '44245', 'not ANGARA'),
    ({'name': 'ANGARA', 'flag': 'RU'}, '37059', ''),
    ({'imo': '9179854'}, '37057', 'ADLER, sister of ANGARA'),
    ({'name': 'ANGARA', 'imo': '9179854'}, '37057', 'the IMO is ADLER\'s'),
    ({'name': 'ADLER', 'imo': '9179854'}, '37057', ''),
    ({'name': 'MARIA E', 'flag': 'Togo'}, '36716', ''),
    ({'name': 'MARIA', 'imo': '9617923'}, '36716', 'MARIA E a.k.a. MARIA'),
    ({'name': 'MARIA', 'callsign': 'UBRH7'}, '46773', ''),
    ({'name': 'MARIA'}, 'none', 'common short name alone'),
    ({'name': 'MARIA', 'flag': 'RU'}, 'none', 'common short name and a common flag'),
    ({'name': 'LADY MARIIA', 'imo': '9220641'}, '37089', ''),
    ({'name': 'LADY R', 'imo': '9161003'}, '37095', ''),
    ({'name': 'LADY'}, 'none', ''),
    ({'name': 'SPARTA', 'flag': 'RU'}, '37027', 'not SPARTA II-IV'),
    ({'name': 'SPARTA III'}, '37028', ''),
    ({'name': 'SPARTA II'}, '36696', ''),
    ({'name': 'SPARTA IV', 'imo': '9743033'}, '37029', ''),
    ({'name': 'MARIA III', 'imo': '9615092'}, '15905', ''),
    ({'name': 'POLA MARIA'}, '41135', ''),
    ({'name': 'SASCO ANIVA'}, '44246', ''),
    ({'name': 'MAIA-1', 'imo': '9358010'}, '37098', ''),
    ({'name': 'MARIA', 'imo': '9412347'}, 'none', 'a different ship called MARIA'),
    ({'name': 'ANGARA', 'imo': '9305609'}, 'none', 'another ANGARA (IMO differs)'),
    ({'name': 'ANGARA STAR'}, 'none', ''),
    ({'name': 'SASCO'}, 'none', ''),
]:
    add('lookalike', q, e, note)
# I. MMSI, with and without the name; J. call sign with the name.
withmmsi = [i for i in ids if mmsi_of(V[i])]
for k, i in enumerate(rnd.sample(withmmsi, 10)):
    q = {'mmsi': mmsi_of(V[i])}
    if k % 2:
        q['name'] = V[i][1]
    add('mmsi', q, i)
withcall = [i for i in ids if f(V[i], 5) and len(f(V[i], 5)) >= 4]
for i in rnd.sample(withcall, 10):
    add('callsign', {'name': V[i][1], 'callsign': f(V[i], 5)}, i)
# K. ships not on the list: made-up names, valid IMO numbers not listed, MMSIs from real MIDs.
neg = ['NORDIC BREEZE', 'ATLANTIC PIONEER', 'CAPE ARAXOS', 'BALTIC TRADER', 'GOLDEN HORIZON', 'SILVER SPRAY', 'OCEAN LOTUS',
       'BELUGA SPIRIT', 'IONIAN DAWN', 'ADRIATIC GLORY', 'ZEELAND TRADER', 'NORTHSEA FALCON', 'KAPITAN MOROZOV', 'AKADEMIK ZUBOV',
       'SEVERNAYA ZVEZDA', 'PACIFIC VOYAGER', 'AEGEAN PEARL', 'STAR KESTREL', 'MERIDIAN SUN', 'LAKE ONEGA', 'VOLGA STAR',
       'KHAN TENGRI', 'HAI YANG 12', 'JIN HUI 8', 'DONG HAI 3', 'XIN HUA 16', 'NAM HAE 2', 'MEKONG QUEEN', 'SUNDA EXPRESS',
       'CORAL BAY', 'PAMPERO', 'RIO PARANA', 'CARIBE TRADER', 'ANDROS', 'KALYPSO', 'POSEIDON II', 'TRITON STAR', 'ELENA K',
       'NATALIA', 'ANNA MARIA', 'PETRA', 'FRIGG', 'ODIN', 'HEIMDAL', 'SIRIUS', 'ALTAIR STAR', 'VEGA', 'ANTARES', 'CASSIOPEIA',
       'BOREAS', 'MISTRAL', 'SCIROCCO', 'ARCTIC SUNRISE II', 'POLAR BEAR', 'ICE MASTER', 'GULF NAVIGATOR', 'DESERT ROSE',
       'SAHARA SPIRIT', 'NILE DELTA', 'ZAMBEZI']
mids = ['636', '538', '477', '563', '257', '229', '215', '351', '371', '273', '412', '440', '511', '620', '671']
flags = {'636': 'Liberia', '538': 'Marshall Islands', '477': 'Hong Kong', '563': 'Singapore', '257': 'Norway', '229': 'Malta',
         '215': 'Malta', '351': 'Panama', '371': 'Panama', '273': 'Russia', '412': 'China', '440': 'Korea, South', '511': 'Palau',
         '620': 'Comoros', '671': 'Togo'}
listed_mmsi = {mmsi_of(r) for r in V.values()}
def new_imo():
    while True:
        base = str(rnd.randrange(910000, 980000))
        d = [int(c) for c in base]
        n = base + str(sum(d[i] * (7 - i) for i in range(6)) % 10)
        if n not in listed_imos:
            return n
for k, name in enumerate(neg):
    q = {'name': name}
    if k % 3 != 2:
        q['imo'] = new_imo()
    if k % 2 == 0:
        mid = mids[k % len(mids)]
        m = mid + '%06d' % rnd.randrange(1000000)
        while m in listed_mmsi:
            m = mid + '%06d' % rnd.randrange(1000000)
        q['mmsi'] = m
        q['flag'] = flags[mid]
    add('negative', q, 'none', 'not a listed ship')
# IMO numbers one digit off a listed one (the check digit then fails): not that ship.
for i in rnd.sample(withimo, 6):
    imo = imo_of(V[i])
    bad = imo[:6] + str((int(imo[6]) + 3) % 10)
    add('negative', {'imo': bad}, 'none', 'IMO with a wrong check digit, one digit off ' + V[i][1] + "'s")

for o in out:
    print(json.dumps(o, ensure_ascii=False))
