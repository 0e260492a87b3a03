# Prints the before/after table of README "Tuning": ventd's median over the seeds (3 seeds:
# sum less lowest and highest) per scenario, from two ventbench -json -runs=false files.
#   python3 compare.py before.json after.json
import json, sys
b = json.load(open(sys.argv[1])); a = json.load(open(sys.argv[2]))
def med(st):
    if st['n'] == 3: return 3*st['mean'] - st['min'] - st['max']
    return st['mean']
def fig(sr, ctl):
    for f in sr['figures']:
        if f['controller'] == ctl: return f
def goals(sr):
    g = [x for x in sr['goals'] if x['result'] in ('pass','FAIL')]
    return sum(x['result']=='pass' for x in g), len(g)
bs = {(s['group'], s['scenario']): s for s in b['scenarios']}
print("| set | scenario | staff STEL µg/m³ before → after | staff TWA µg/m³ before → after | fan energy kWh before → after | frontier STEL / TWA before → after | goals passed before → after |")
print("|---|---|---|---|---|---|---|")
tot = {}
for s in a['scenarios']:
    key = (s['group'], s['scenario']); o = bs.get(key)
    if not o: continue
    fa, fo = fig(s, 'ventd'), fig(o, 'ventd')
    ga, gb = goals(s), goals(o)
    r = lambda st, d=1: f"{med(st):.{d}f}"
    print(f"| {s['group']} | {s['scenario']} | {r(fo['staff_pm25_stel_peak_ugm3'])} → {r(fa['staff_pm25_stel_peak_ugm3'])} | {r(fo['staff_pm25_twa_ugm3'],2)} → {r(fa['staff_pm25_twa_ugm3'],2)} | {r(fo['fan_energy_kwh'],3)} → {r(fa['fan_energy_kwh'],3)} | {o['frontier_stel']['verdict']} / {o['frontier_twa']['verdict']} → {s['frontier_stel']['verdict']} / {s['frontier_twa']['verdict']} | {gb[0]}/{gb[1]} → {ga[0]}/{ga[1]} |")
    for k, v in (('stel_worse', med(fa['staff_pm25_stel_peak_ugm3']) > med(fo['staff_pm25_stel_peak_ugm3'])), ('twa_worse', med(fa['staff_pm25_twa_ugm3']) > med(fo['staff_pm25_twa_ugm3'])), ('energy_more', med(fa['fan_energy_kwh']) > med(fo['fan_energy_kwh']))):
        tot[k] = tot.get(k, 0) + v
    tot['n'] = tot.get('n', 0) + 1
    tot['goals_b'] = tot.get('goals_b', 0) + gb[0]; tot['goals_a'] = tot.get('goals_a', 0) + ga[0]; tot['goals_n'] = tot.get('goals_n', 0) + ga[1]
print(file=sys.stderr); print(tot, file=sys.stderr)
