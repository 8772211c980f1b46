# Exploration, round 3 (not built, not part of the model): the customer's level on a "dispute
# footing". Each past payment's delay loses the population's dispute effect D when that past
# invoice was disputed (as the electronic effect is removed today); the new invoice gets
# p * D back, p being the customer's past dispute rate shrunk to the country's (prior weight m),
# optionally tilted by the invoice's log amount (b). Only past invoices' Disputed flags are used.
# Scored with round 2's replica on its three pre-test windows (val, ps1, ps2); the rule, written
# before running it: adopt only if better on all three by 0.03 days on average. It was not
# (val -0.008, ps1 -0.042, ps2 +0.038), so the test set was not scored.
#   python3 validation_ideas_round3.py data/accounts-receivable/WA_Fn-UseC_-Accounts-Receivable.csv
import collections, importlib.util, os, sys
from math import exp, log

spec = importlib.util.spec_from_file_location(
    'round2', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'validation_ideas_round2.py'))
r2 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(r2)  # reads the CSV named by sys.argv[1]


def fitpop_dispute(rs):
    P = r2.fit_population(rs)
    # Dispute effect within customers, weighted like the electronic effect.
    byc = collections.defaultdict(lambda: ([], []))
    for r in rs: byc[r['cust']][0 if r['disp'] else 1].append(r2.pdl(P, r))
    num = den = 0
    for a, b in byc.values():
        if a and b:
            w = len(a) * len(b) / (len(a) + len(b)); num += w * (r2.mean(a) - r2.mean(b)); den += w
    P['D'] = num / den
    rate = collections.defaultdict(list)
    for r in rs: rate[r['country']].append(r['disp'])
    P['prate'] = r2.mean([r['disp'] for r in rs])
    P['crate'] = {c: (sum(x) + 20 * P['prate']) / (len(x) + 20) for c, x in rate.items()}
    P['la'] = r2.mean([log(r['amt'] + 1) for r in rs])
    return P


def c_dispute_footing(P, r, hist, k=0.25, m=2.0, b=0.0, **kw):
    country_rate = P['crate'].get(r['country'], P['prate'])
    prior = r2.prior_of(P, r) - country_rate * P['D']
    xs = [r2.pdl(P, h) - (P['D'] if h['disp'] else 0) for h in hist]
    n = len(xs)
    level = (sum(xs) + k * prior) / (n + k) if n + k > 0 else prior
    rate = (sum(h['disp'] for h in hist) + m * country_rate) / (n + m)
    if b:
        rate = min(max(rate, 1e-3), 1 - 1e-3)
        rate = 1 / (1 + exp(-(log(rate / (1 - rate)) + b * (log(r['amt'] + 1) - P['la']))))
    return level + rate * P['D'] + (P['E'] if r['el'] else 0), n


if __name__ == '__main__':
    r2.run('current model', r2.centre_base, [dict(k=k) for k in [0, 0.25, 0.5, 1, 2, 4]])
    r2.run('dispute footing', c_dispute_footing,
           [dict(k=k, m=m) for k in [0.25, 0.5, 1, 2] for m in [0.5, 1, 2, 4, 8]], fitpop=fitpop_dispute)
    r2.run('dispute footing + amount', c_dispute_footing,
           [dict(k=k, m=m, b=b) for k in [0.25, 0.5, 1] for m in [1, 2, 4] for b in [0.5, 1.0, 1.5]],
           fitpop=fitpop_dispute)
