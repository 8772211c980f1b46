# Round 4: a learned L1 (median) linear combiner of customer-history features,
# scored by rolling-origin evaluation on pre-test data only (the rule and the figures: services/expected_date_svc/model/README.md, round 4).
#   python3 round4.py CSV            rolling-origin + val/ps1/ps2 figures, bootstrap SEs
#   python3 round4.py CSV --test     scores ONLY the chosen variant (and the current model) on
#                                    the test set; refuses, since nothing was chosen
# Plain Python 3 standard library. The current model is the replica of
# research/predictor/validation_ideas_round2.py (reproduces 5.704 / 5.418).
import collections, datetime as dt, importlib.util, math, os, random, statistics as st, sys

CHOSEN = None  # 'A' or 'B' had one passed the rule written before the run; none did


# The current model's replica (the data, the population fit, walk-forward cases, residual
# buckets, quantiles, the centre) is round 2's, shared rather than copied.
_spec = importlib.util.spec_from_file_location(
    'round2', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'validation_ideas_round2.py'))
r2 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(r2)  # reads the CSV named by sys.argv[1]
rows, eff, delay, mean = r2.rows, r2.eff, r2.delay, r2.mean
fit_population, make_cases, calibrate, wquant = r2.fit_population, r2.make_cases, r2.calibrate, r2.wquant
round_half, prior_of, pdl, centre_base = r2.round_half, r2.prior_of, r2.pdl, r2.centre_base
build, predict = r2.build, r2.predict
TEST = dt.date(2013, 7, 12)
PSEUDO = dt.date(2013, 2, 24)
PSEUDO2 = dt.date(2012, 11, 1)
ORIGINS = [dt.date(2012, 8, 1), dt.date(2012, 9, 12), dt.date(2012, 10, 24), dt.date(2012, 12, 5),
           dt.date(2013, 1, 16), dt.date(2013, 2, 27), dt.date(2013, 4, 10), dt.date(2013, 5, 22)]
WINDOWS = [(o, ORIGINS[i + 1] if i + 1 < len(ORIGINS) else TEST) for i, o in enumerate(ORIGINS)]


def score(P, B, cases, cf, kw, tail=0.10):
    per = []
    for r, h in cases:
        e, lo, hi = predict(P, B, r, h, cf, kw, tail)
        per.append((r['cust'], abs((e - r['settle']).days), lo <= r['settle'] <= hi))
    return summary(per)


def summary(per):
    ae = [a for _, a, _ in per]; n = len(ae); s = sorted(ae)
    return dict(mae=sum(ae) / n, med=(s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2),
                w3=sum(a <= 3 for a in ae) / n, cov=sum(c for _, _, c in per) / n, n=n, per=per)


def choose_tail(P, B, cases, cf, kw):
    bt = None
    for pm in range(50, 201, 5):
        t = pm / 1000; g = abs(score(P, B, cases, cf, kw, t)['cov'] - 0.8)
        if bt is None or g < bt[0] - 1e-9: bt = (g, t)
    return bt[1]


def split(until, share=0.25):
    used = sorted([r for r in rows if r['issue'] < until], key=lambda r: r['issue'])
    vf = used[int(len(used) * (1 - share))]['issue']
    early = [r for r in used if r['issue'] < vf]
    return used, vf, early


K = [0, 0.25, 0.5, 1, 2, 4, 8, 16]


def train_current(until):
    used, vf, early = split(until)
    cases = make_cases(used, vf, until); P = fit_population(early)
    best = None
    for kw in [dict(k=k) for k in K]:
        B = build(P, cases, centre_base, kw); s = score(P, B, cases, centre_base, kw)
        if best is None or s['mae'] < best[0] - 1e-9: best = (s['mae'], kw, B)
    _, kw, B = best
    tail = choose_tail(P, B, cases, centre_base, kw)
    return dict(P=fit_population(used), B=B, kw=kw, tail=tail, cf=centre_base,
                val=score(P, B, cases, centre_base, kw, tail))


# ---------------------------------------------------------------- round 4: L1 combiner
KF = 0.25  # shrinkage of the feature estimators (the shipped model's prior weight)
FEATS = {'A': [1, 2, 3, 4, 6], 'B': list(range(1, 12)),
         'D0': [1]}  # post-hoc diagnostic only (not a candidate): intercept + the current centre
NAMES = {1: 'centre', 2: 'median-mean', 3: 'spread-s0', 4: 'disp.rate-p0', 5: 'electronic', 6: '1/(n+1)',
         7: 'huber-mean', 8: 'recent-mean', 9: 'log amount (centred)', 10: 'log amt/cust median amt',
         11: 'log(1+n)'}


def stats(P, rs):
    """Training-set constants the features are centred on."""
    byc = collections.defaultdict(list)
    for r in rs: byc[r['cust']].append(pdl(P, r))
    ss = dof = 0
    for xs in byc.values():
        if len(xs) > 1:
            mu = mean(xs); ss += sum((x - mu) ** 2 for x in xs); dof += len(xs) - 1
    return dict(s0=math.sqrt(ss / dof), p0=mean([1.0 if r['disp'] else 0.0 for r in rs]),
                mla=mean([math.log(r['amt']) for r in rs]))


def features(P, S, r, hist):
    hist = [h for h in hist if h['settle'] >= h['issue']]
    xs = [pdl(P, h) for h in hist]; n = len(xs); k = KF
    pr = prior_of(P, r); E = P['E'] if r['el'] else 0.0
    m = (sum(xs) + k * pr) / (n + k)
    f = {1: m + E, 5: 1.0 if r['el'] else 0.0, 6: 1.0 / (n + 1), 11: math.log(1 + n),
         9: math.log(r['amt']) - S['mla']}
    s0 = S['s0']
    if n == 0:
        f.update({2: 0.0, 3: 0.0, 4: 0.0, 7: 0.0, 8: 0.0, 10: 0.0})
        return f
    mu = mean(xs)
    f[2] = n * (st.median(xs) - mu) / (n + k)
    f[3] = math.sqrt((sum((x - mu) ** 2 for x in xs) + 3 * s0 * s0) / (n - 1 + 3)) - s0
    nd = sum(1 for h in hist if h['disp'])
    f[4] = (nd + 2 * S['p0']) / (n + 2) - S['p0']
    hm = mu
    for _ in range(20):
        num = den = 0.0
        for x in xs:
            w = 1.0 if abs(x - hm) <= 12 else 12 / abs(x - hm); num += w * x; den += w
        hm = num / den
    f[7] = n * (hm - mu) / (n + k)
    ws = [0.5 ** ((r['issue'] - h['issue']).days / 90.0) for h in hist]
    f[8] = n * (sum(w * x for w, x in zip(ws, xs)) / sum(ws) - mu) / (n + k)
    f[10] = math.log(r['amt'] / st.median([h['amt'] for h in hist]))
    return f


def solve(A, b):
    n = len(b); M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for c in range(n):
        p = max(range(c, n), key=lambda i: abs(M[i][c])); M[c], M[p] = M[p], M[c]
        for i in range(n):
            if i != c and M[c][c] != 0:
                f = M[i][c] / M[c][c]
                for j in range(c, n + 1): M[i][j] -= f * M[c][j]
    return [M[i][n] / M[i][i] for i in range(n)]


def fit_l1(X, y, iters=300, eps=1e-3):
    """Least absolute deviations by IRLS (weights 1/max(|residual|, eps)); keeps the best iterate."""
    p = len(X[0]); w = [1.0] * len(y); best = None
    for it in range(iters):
        A = [[0.0] * p for _ in range(p)]; bb = [0.0] * p
        for xi, yi, wi in zip(X, y, w):
            for a in range(p):
                wa = wi * xi[a]; bb[a] += wa * yi
                Aa = A[a]
                for c in range(a, p): Aa[c] += wa * xi[c]
        for a in range(p):
            for c in range(a): A[a][c] = A[c][a]
            if a: A[a][a] += 1e-6 * len(y)  # tiny ridge against collinearity
        beta = solve(A, bb)
        res = [yi - sum(bi * xij for bi, xij in zip(beta, xi)) for xi, yi in zip(X, y)]
        obj = sum(abs(e) for e in res)
        if best is None or obj < best[0] - 1e-9: best = (obj, beta, it)
        elif it - best[2] >= 15: break  # no gain for 15 iterations: converged
        w = [1.0 / max(abs(e), eps) for e in res]
    return best[1], best[0] / len(y)


def design(P, S, cases, fs):
    X = []; y = []
    for r, h in cases:
        f = features(P, S, r, h); X.append([1.0] + [f[i] for i in fs]); y.append(delay(r))
    return X, y


def c_comb(P, r, hist, beta=None, S=None, fs=None, **kw):
    f = features(P, S, r, hist)
    n = sum(1 for h in hist if h['settle'] >= h['issue'])
    return beta[0] + sum(b * f[i] for b, i in zip(beta[1:], fs)), n


def fit_comb(P, rs, until, fs):
    S = stats(P, rs)
    X, y = design(P, S, make_cases(rs, dt.date(1900, 1, 1), until), fs)
    beta, loss = fit_l1(X, y)
    return dict(beta=beta, S=S, fs=fs), loss


def recentre(B):
    # post-hoc diagnostic: residuals shifted so each bucket's median is 0 (point = regression output)
    return [(lo, [x - wquant(rs, 0.5) for rs in [rs] for x in rs]) for lo, rs in B]


def train_comb(until, variant, raw=False):
    fs = FEATS[variant]
    used, vf, early = split(until)
    cases = make_cases(used, vf, until); P = fit_population(early)
    kw, _ = fit_comb(P, early, vf, fs)
    B = build(P, cases, c_comb, kw)
    if raw: B = recentre(B)
    tail = choose_tail(P, B, cases, c_comb, kw)
    val = score(P, B, cases, c_comb, kw, tail)
    Pf = fit_population(used); kwf, loss = fit_comb(Pf, used, until, fs)
    return dict(P=Pf, B=B, kw=kwf, tail=tail, cf=c_comb, val=val, loss=loss)


def test_on(M, start, end):
    cases = make_cases([r for r in rows if r['issue'] < end], start, end)
    return score(M['P'], M['B'], cases, M['cf'], M['kw'], M['tail'])


TRAIN = {'current': train_current, 'A': lambda u: train_comb(u, 'A'), 'B': lambda u: train_comb(u, 'B'),
         # post-hoc diagnostics (--diag), run after the decision, never candidates:
         'D0': lambda u: train_comb(u, 'D0'), 'D0-raw': lambda u: train_comb(u, 'D0', raw=True),
         'A-raw': lambda u: train_comb(u, 'A', raw=True)}


def fmt(s): return '%.3f / %.1f / %4.1f%% / %4.1f%% (n=%d)' % (s['mae'], s['med'], 100 * s['w3'], 100 * s['cov'], s['n'])


def bootstrap(per_c, per_v, reps=2000, seed=4):
    """Paired bootstrap over customers of the pooled MAE difference v - c."""
    agg = collections.defaultdict(lambda: [0, 0, 0])
    for (cu, a, _), (cu2, b, _) in zip(per_c, per_v):
        assert cu == cu2
        g = agg[cu]; g[0] += a; g[1] += b; g[2] += 1
    gs = list(agg.values()); rnd = random.Random(seed); diffs = []
    for _ in range(reps):
        sa = sb = n = 0
        for _ in range(len(gs)):
            g = gs[rnd.randrange(len(gs))]; sa += g[0]; sb += g[1]; n += g[2]
        diffs.append((sb - sa) / n)
    mu = mean(diffs)
    return math.sqrt(sum((x - mu) ** 2 for x in diffs) / (len(diffs) - 1))


def describe(M, variant):
    fs = FEATS[variant]; b = M['kw']['beta']
    return 'intercept %.3f, ' % b[0] + ', '.join('%s %.3f' % (NAMES[i], c) for i, c in zip(fs, b[1:]))


def pretest(names=('current', 'A', 'B')):
    pooled = {}
    for name in names:
        per = []
        print('== %s' % name, flush=True)
        for o, e in WINDOWS:
            M = TRAIN[name](o); s = test_on(M, o, e); per += s['per']
            extra = '  k=%s' % M['kw']['k'] if name == 'current' else '  train L1 loss %.3f' % M['loss']
            print('  window %s..%s  %s  tail %.3f%s' % (o, e, fmt(s), M['tail'], extra), flush=True)
        pooled[name] = per
        print('  POOLED %s' % fmt(summary(per)), flush=True)
        M = TRAIN[name](TEST); p1 = test_on(TRAIN[name](PSEUDO), PSEUDO, TEST)
        p2 = test_on(TRAIN[name](PSEUDO2), PSEUDO2, PSEUDO)
        print('  val %s\n  ps1 %s\n  ps2 %s' % (fmt(M['val']), fmt(p1), fmt(p2)), flush=True)
        if name != 'current': print('  final fit (until 2013-07-12): ' + describe(M, name.split('-')[0]), flush=True)
    for name in names[1:]:
        dm = summary(pooled[name])['mae'] - summary(pooled['current'])['mae']
        se = bootstrap(pooled['current'], pooled[name])
        print('%s - current: pooled MAE diff %+.4f, bootstrap SE %.4f, z %.2f' % (name, dm, se, dm / se), flush=True)


def test_once():
    if CHOSEN is None:
        sys.exit('no variant was adopted (services/expected_date_svc/model/README.md, round 4): nothing is scored on the test set')
    for name in ['current', CHOSEN]:
        M = TRAIN[name](TEST)
        print('TEST %-8s %s' % (name, fmt(test_on(M, TEST, dt.date(2100, 1, 1)))))
        if name != 'current': print('  ' + describe(M, name))


if __name__ == '__main__':
    if '--test' in sys.argv[2:]: test_once()
    elif '--diag' in sys.argv[2:]: pretest(('current', 'D0', 'D0-raw', 'A-raw'))
    else: pretest()
