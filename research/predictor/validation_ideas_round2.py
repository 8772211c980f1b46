# Exploration, round 2 (not built, not part of the model): the validation figures of the second
# round of ideas listed in services/expected_date_svc/model/README.md ("What was tried"). A plain-Python replica of the current
# model (it reproduces train's validation MAE 5.704 and evaluate's test MAE 5.418 exactly) and
# variants of the customer's centre. Every choice is scored on pre-2013-07-12 invoices only:
#   val: the training period's validation tail (from 2013-02-24, 493 invoices), as train does;
#   ps1: trained on invoices before 2013-02-24, tested on 2013-02-24 .. 2013-07-11;
#   ps2: trained on invoices before 2012-11-01, tested on 2012-11-01 .. 2013-02-23;
# all walking forward (history = invoices settled before the tested invoice's issue date).
# The test set (from 2013-07-12) is scored only with --test, after the choice was made.
#   python3 validation_ideas_round2.py data/accounts-receivable/WA_Fn-UseC_-Accounts-Receivable.csv [--test] [NAME...]
import csv, datetime as dt, collections, statistics as st, math, sys
F=sys.argv[1]
def d(s):
    m,dd,y=map(int,s.split('/')); return dt.date(y,m,dd)
rows=[]
for r in csv.DictReader(open(F,newline='')):
    rows.append(dict(country=r['countryCode'],cust=r['customerID'],paperless=d(r['PaperlessDate']),
      issue=d(r['InvoiceDate']),due=d(r['DueDate']),amt=float(r['InvoiceAmount']),disp=r['Disputed']=='Yes',
      settle=d(r['SettledDate']),el=r['PaperlessBill']=='Electronic'))
TEST=dt.date(2013,7,12)
def eff(r): return max(r['issue'], r['due'])
def delay(r): return (r['settle']-eff(r)).days
def mean(xs): return sum(xs)/len(xs) if xs else 0.0

def fit_population(rs, value=delay):
    # value: what is modelled per invoice (the delay vs due; fitpop_t passes a transform)
    byc=collections.defaultdict(lambda:([],[]))
    for r in rs: byc[r['cust']][0 if r['el'] else 1].append(value(r))
    num=den=0
    for el,pa in byc.values():
        if el and pa:
            w=len(el)*len(pa)/(len(el)+len(pa)); num+=w*(mean(el)-mean(pa)); den+=w
    E=num/den if den else 0
    bycty=collections.defaultdict(list); allv=[]
    for r in rs:
        v=value(r)-(E if r['el'] else 0); bycty[r['country']].append(v); allv.append(v)
    pop=mean(allv)
    within=0; dof=0
    for xs in bycty.values():
        mu=mean(xs); within+=sum((x-mu)**2 for x in xs); dof+=len(xs)-1
    within=within/dof if dof else 0
    between=sampling=0
    for xs in bycty.values():
        between+=(mean(xs)-pop)**2; sampling+=within/len(xs)
    n=len(bycty); tau2=max(0,(between-sampling)/n) if n>1 else 0
    cty={c:((len(xs)*mean(xs)+(within/tau2)*pop)/(len(xs)+within/tau2) if tau2>0 else pop) for c,xs in bycty.items()}
    return dict(E=E,pop=pop,cty=cty)

def make_cases(pool, start, end):
    byc=collections.defaultdict(list)
    for q in pool: byc[q['cust']].append(q)
    out=[]
    for r in pool:
        if start<=r['issue']<end:
            out.append((r,[q for q in byc[r['cust']] if q['settle']<r['issue']]))
    return out

BOUNDS=[1,5,10,20]
def calibrate(resids_by_n, pop_resids):
    # replicate C++ merge logic; returns list of (min_history, sorted residual list)
    buckets=[]
    for i,lo in enumerate(BOUNDS):
        hi=BOUNDS[i+1] if i+1<len(BOUNDS) else 1<<30
        rs=[x for n,v in resids_by_n.items() if lo<=n<hi for x in v]
        if len(rs)<40 and buckets: buckets[-1][1].extend(rs)
        else: buckets.append([lo,rs])
    if len(buckets)>1 and len(buckets[0][1])<40:
        buckets[1][1].extend(buckets[0][1]); buckets[1][0]=buckets[0][0]; buckets.pop(0)
    return [(0,sorted(pop_resids))]+[(lo,sorted(rs)) for lo,rs in buckets if rs]

def wquant(sorted_vals, q):
    # C++ quantile: first value where cum >= q*total
    n=len(sorted_vals); 
    for i,v in enumerate(sorted_vals):
        if i+1 >= q*n-1e-9: return v
    return sorted_vals[-1]

def centre_base(P, r, hist, k=0.5, **kw):
    prior=P['cty'].get(r['country'], P['pop'])
    s=0; n=0
    for h in hist:
        if h['settle']<h['issue']: continue
        s+=delay(h)-(P['E'] if h['el'] else 0); n+=1
    lvl=(s+k*prior)/(n+k) if n+k>0 else prior
    return lvl+(P['E'] if r['el'] else 0), n

def build(P, cases, cf, kw):
    if 'tr' in kw: return build_t(P, cases, cf, kw)
    pop=[]; byn=collections.defaultdict(list)
    for r,h in cases:
        c0,_=cf(P,r,[],**kw); pop.append(round_half(delay(r)-c0))
        c,n=cf(P,r,h,**kw)
        if n>0: byn[n].append(round_half(delay(r)-c))
    return calibrate(byn,pop)

def round_half(x):  # std::lround
    return int(math.floor(x+0.5)) if x>=0 else -int(math.floor(-x+0.5))

def predict(P, B, r, h, cf, kw, tail=0.10):
    if 'tr' in kw: return predict_t(P, B, r, h, cf, kw, tail)
    c,n=cf(P,r,h,**kw)
    bk=[b for b in B if b[0]<=n][-1][1]
    due=eff(r)
    outs=sorted(max(r['issue'], due+dt.timedelta(days=round_half(c+x))) for x in bk)
    return wquant(outs,0.5), wquant(outs,tail), wquant(outs,1-tail)

def score(P,B,cases,cf,kw,tail=0.10):
    ae=[];cov=0
    for r,h in cases:
        e,lo,hi=predict(P,B,r,h,cf,kw,tail)
        ae.append(abs((e-r['settle']).days)); cov+= lo<=r['settle']<=hi
    n=len(ae); s=sorted(ae)
    return dict(mae=sum(ae)/n, med=(s[n//2] if n%2 else (s[n//2-1]+s[n//2])/2), w3=sum(a<=3 for a in ae)/n, cov=cov/n, n=n)

def test(rows_, M, cf, test_from=TEST):
    cases=make_cases(rows_, test_from, dt.date(2100,1,1))
    return score(M['P'],M['B'],cases,cf,M['kw'],M['tail'])
_cache={}
def prep(rows_, until, share=0.25):
    key=(id(rows_),until,share)
    if key not in _cache:
        used=sorted([r for r in rows_ if r['issue']<until], key=lambda r:r['issue'])
        split=int(len(used)*(1-share)); vf=used[split]['issue']
        early=[r for r in used if r['issue']<vf]
        _cache[key]=(used,vf,early,make_cases(used,vf,until),fit_population(early),fit_population(used))
    return _cache[key]
def train2(rows_, until, cf, grid, share=0.25, fitpop=None):
    used,vf,early,cases,P,Pfull=prep(rows_,until,share)
    if fitpop: P=fitpop(early); Pfull=fitpop(used)
    best=None
    for kw in grid:
        B=build(P,cases,cf,kw); s=score(P,B,cases,cf,kw)
        if best is None or s['mae']<best[0]-1e-9: best=(s['mae'],kw,B)
    _,kw,B=best
    bt=None
    for pm in range(50,201,5):
        t=pm/1000; g=abs(score(P,B,cases,cf,kw,t)['cov']-0.8)
        if bt is None or g<bt[0]-1e-9: bt=(g,t)
    tail=bt[1]
    return dict(P=Pfull,B=B,kw=kw,tail=tail,val=score(P,B,cases,cf,kw,tail),vf=vf)
_tc={}
def test2(rows_, M, cf, start, end):
    key=(id(rows_),start,end)
    if key not in _tc: _tc[key]=make_cases([r for r in rows_ if r['issue']<end], start, end)
    return score(M['P'],M['B'],_tc[key],cf,M['kw'],M['tail'])
PSEUDO=dt.date(2013,2,24)
PSEUDO2=dt.date(2012,11,1)
def fmt(s): return '%.3f/%.1f/%.1f%%/%.1f%%' % (s['mae'],s['med'],100*s['w3'],100*s['cov'])
def run(name, cf, grid, fitpop=None, show_test=False):
    M=train2(rows,TEST,cf,grid,fitpop=fitpop)
    M1=train2(rows,PSEUDO,cf,grid,fitpop=fitpop)
    p1=test2(rows,M1,cf,PSEUDO,TEST)
    M2=train2(rows,PSEUDO2,cf,grid,fitpop=fitpop)
    p2=test2(rows,M2,cf,PSEUDO2,PSEUDO)
    kw={a:b for a,b in M['kw'].items() if a!='tr'}
    line='%-30s val %s  ps1 %s  ps2 %s  kw=%s' % (name, fmt(M['val']), fmt(p1), fmt(p2), kw)
    if show_test: line+='  TEST '+fmt(test(rows,M,cf))
    print(line, flush=True)
    return M
def pdl(P,h): return delay(h)-(P['E'] if h['el'] else 0)
def prior_of(P,r): return P['cty'].get(r['country'],P['pop'])
def c_huber(P,r,hist,k=0.25,hc=5.0,**kw):
    pr=prior_of(P,r); xs=[pdl(P,h) for h in hist]; n=len(xs)
    m=(sum(xs)+k*pr)/(n+k) if n+k>0 else pr
    for _ in range(20):
        num=k*pr; den=k
        for x in xs:
            d=x-m; w=1.0 if abs(d)<=hc else hc/abs(d)
            num+=w*x; den+=w
        m=num/den if den>0 else pr
    return m+(P['E'] if r['el'] else 0), n
def c_trim(P,r,hist,k=0.25,trim=0.1,**kw):
    pr=prior_of(P,r); xs=sorted(pdl(P,h) for h in hist); n=len(xs)
    cut=int(n*trim); ys=xs[cut:n-cut] if n-2*cut>0 else xs
    m=(sum(ys)+k*pr)/(len(ys)+k) if len(ys)+k>0 else pr
    return m+(P['E'] if r['el'] else 0), n
def c_uptrim(P,r,hist,k=0.25,trim=0.1,**kw):  # drop the top share only (disputes are late)
    pr=prior_of(P,r); xs=sorted(pdl(P,h) for h in hist); n=len(xs)
    cut=int(n*trim); ys=xs[:n-cut] if n-cut>0 else xs
    m=(sum(ys)+k*pr)/(len(ys)+k) if len(ys)+k>0 else pr
    return m+(P['E'] if r['el'] else 0), n
def c_ksplit(P,r,hist,k=0.25,k2=0.25,nb=5,**kw):
    pr=prior_of(P,r); xs=[pdl(P,h) for h in hist]; n=len(xs)
    kk=k2 if n<nb else k
    m=(sum(xs)+kk*pr)/(n+kk) if n+kk>0 else pr
    return m+(P['E'] if r['el'] else 0), n
def c_hl(P,r,hist,k=0.25,**kw):  # Hodges-Lehmann (median of Walsh averages), shrunk as n obs
    pr=prior_of(P,r); xs=[pdl(P,h) for h in hist]; n=len(xs)
    if n==0: return pr+(P['E'] if r['el'] else 0),0
    wa=sorted((xs[i]+xs[j])/2 for i in range(n) for j in range(i,n))
    L=len(wa); hl=wa[L//2] if L%2 else (wa[L//2-1]+wa[L//2])/2
    m=(n*hl+k*pr)/(n+k)
    return m+(P['E'] if r['el'] else 0), n
def c_ksd(P,r,hist,k=0.25,alpha=1.0,**kw):  # shrink more when the customer's spread is high
    pr=prior_of(P,r); xs=[pdl(P,h) for h in hist]; n=len(xs)
    if n==0: return pr+(P['E'] if r['el'] else 0),0
    mu=sum(xs)/n
    v=(sum((x-mu)**2 for x in xs)+ 3*60.0)/(n-1+3) # shrunk variance, pooled ~60
    kk=k*(v/60.0)**alpha
    m=(n*mu+kk*pr)/(n+kk)
    return m+(P['E'] if r['el'] else 0), n
def _Phi(z): return 0.5*(1+math.erf(z/math.sqrt(2)))
def c_kmed(P,r,hist,k=0.25,h=3.0,s0=8.0,**kw):
    pr=prior_of(P,r); xs=[pdl(P,hh) for hh in hist]; n=len(xs)
    if n==0: return pr+(P['E'] if r['el'] else 0),0
    tot=n+k
    def F(x): return (sum(_Phi((x-d)/h) for d in xs)+k*_Phi((x-pr)/s0))/tot
    lo,hi=min(xs+[pr])-30,max(xs+[pr])+30
    for _ in range(40):
        mid=(lo+hi)/2
        if F(mid)<0.5: lo=mid
        else: hi=mid
    return (lo+hi)/2+(P['E'] if r['el'] else 0), n
# EM mixture per customer: base b, dispute share p; globals D, s1, s2; predictive median
def c_mix(P,r,hist,k=0.25,D=14.0,s1=4.5,s2=7.0,kp=2.0,p0=0.23,**kw):
    pr=prior_of(P,r); xs=[pdl(P,hh) for hh in hist]; n=len(xs)
    if n==0: return pr+(P['E'] if r['el'] else 0),0
    b=pr; p=p0
    # prior on b centred at the non-disputed level implied by prior
    bpr=pr-p0*D
    b=bpr
    def npdf(x,m,s): return math.exp(-0.5*((x-m)/s)**2)/s
    for _ in range(30):
        ws=[]
        for x in xs:
            a=(1-p)*npdf(x,b,s1); c=p*npdf(x,b+D,s2); ws.append(c/(a+c) if a+c>0 else 0.5)
        p=(sum(ws)+kp*p0)/(n+kp)
        # b: weighted mean of x (non-disp) and x-D (disp) with precisions
        num=k*bpr/(s1*s1); den=k/(s1*s1)
        for x,w in zip(xs,ws):
            num+=(1-w)*x/(s1*s1)+w*(x-D)/(s2*s2); den+=(1-w)/(s1*s1)+w/(s2*s2)
        b=num/den
    def F(x): return (1-p)*_Phi((x-b)/s1)+p*_Phi((x-b-D)/s2)
    lo,hi=b-40,b+D+40
    for _ in range(40):
        mid=(lo+hi)/2
        if F(mid)<0.5: lo=mid
        else: hi=mid
    return (lo+hi)/2+(P['E'] if r['el'] else 0), n
# Affine electronic effect: electronic DTS = (1+beta)*paper DTS + alpha (beta=0: the current model)
def fitpop_aff(rs, fixbeta=None):
    P=fit_population(rs)
    byc=collections.defaultdict(lambda:([],[]))
    for r in rs: byc[r['cust']][0 if r['el'] else 1].append((r['settle']-r['issue']).days)
    pts=[]
    for el,pa in byc.values():
        if el and pa:
            w=len(el)*len(pa)/(len(el)+len(pa)); pts.append((w,mean(pa),mean(el)-mean(pa)))
    W=sum(p[0] for p in pts); mx=sum(p[0]*p[1] for p in pts)/W; my=sum(p[0]*p[2] for p in pts)/W
    sxx=sum(p[0]*(p[1]-mx)**2 for p in pts); sxy=sum(p[0]*(p[1]-mx)*(p[2]-my) for p in pts)
    beta=sxy/sxx if fixbeta is None else fixbeta
    alpha=my-beta*mx
    P['beta']=beta; P['alpha']=alpha
    # recompute country priors on paper footing
    def paper(r):
        d=(r['settle']-r['issue']).days
        return ((d-alpha)/(1+beta) if r['el'] else d)-30
    bycty=collections.defaultdict(list); allv=[]
    for r in rs: v=paper(r); bycty[r['country']].append(v); allv.append(v)
    pop=mean(allv); within=0; dof=0
    for xs in bycty.values():
        mu=mean(xs); within+=sum((x-mu)**2 for x in xs); dof+=len(xs)-1
    within/=dof; between=sampling=0
    for xs in bycty.values(): between+=(mean(xs)-pop)**2; sampling+=within/len(xs)
    n=len(bycty); tau2=max(0,(between-sampling)/n)
    P['pop']=pop
    P['cty']={c:((len(xs)*mean(xs)+(within/tau2)*pop)/(len(xs)+within/tau2) if tau2>0 else pop) for c,xs in bycty.items()}
    return P
def c_aff(P,r,hist,k=0.25,**kw):
    pr=prior_of(P,r); a=P['alpha']; b=P['beta']
    s=0;n=0
    for h in hist:
        d=(h['settle']-h['issue']).days
        s+=((d-a)/(1+b) if h['el'] else d)-30; n+=1
    lvl=(s+k*pr)/(n+k) if n+k>0 else pr
    if r['el']: lvl=(lvl+30)*(1+b)+a-30
    return lvl, n
def c_drop(P,r,hist,k=0.25,W=30,**kw):
    h2=[h for h in hist if (r['issue']-h['issue']).days>=W]
    c,n=centre_base(P,r,h2,k)
    return c,len(hist) if W>=0 else n
def c_trunc(P,r,hist,k=0.25,s=6.0,**kw):
    # truncation-aware: paid invoices issued a days ago are known only because DTS < a: ML location
    pr=prior_of(P,r); E=P['E']
    xs=[]
    for h in hist:
        a=(r['issue']-h['issue']).days  # DTS must be < a to be in the history
        e=E if h['el'] else 0
        xs.append((delay(h)-e, a-30-e))  # paper-footing delay and its truncation point (paper footing)
    n=len(xs)
    if n==0: return pr+(E if r['el'] else 0),0
    m=(sum(x for x,_ in xs)+k*pr)/(n+k)
    for _ in range(30):
        # gradient step: d/dm [ -sum (x-m)^2/2s^2 - log Phi((t-m)/s) - k (m-pr)^2/2s^2 ]
        g=sum((x-m) for x,_ in xs)/(s*s) + k*(pr-m)/(s*s)
        for _,t in xs:
            z=(t-m)/s; Phi=_Phi(z)
            if Phi<1-1e-12:
                phi=math.exp(-0.5*z*z)/math.sqrt(2*math.pi)
                g+= (phi/max(Phi,1e-12))/s
        m+= g*(s*s)/(n+k)*0.8
    return m+(E if r['el'] else 0), n

# Transformed-space variant: y = log(DTS + c) (c=None: y = delay vs due, the current model)
def dts(r): return (r['settle']-r['issue']).days
class T:
    def __init__(s,c): s.c=c
    def f(s,x): return math.log(x+s.c) if s.c else x-30
    def inv(s,y): return math.exp(y)-s.c if s.c else y+30
def fitpop_t(tr):
    return lambda rs: fit_population(rs, lambda r: tr.f(dts(r)))
def centre_t(P,r,hist,k=0.5,tr=None,**kw):
    prior=P['cty'].get(r['country'],P['pop'])
    s=0;n=0
    for h in hist:
        s+=tr.f(dts(h))-(P['E'] if h['el'] else 0); n+=1
    lvl=(s+k*prior)/(n+k) if n+k>0 else prior
    return lvl+(P['E'] if r['el'] else 0), n
# generic build/score in T-space with float residuals
def build_t(P,cases,cf,kw):
    tr=kw['tr']; pop=[]; byn=collections.defaultdict(list)
    for r,h in cases:
        c0,_=cf(P,r,[],**kw); pop.append(tr.f(dts(r))-c0)
        c,n=cf(P,r,h,**kw)
        if n>0: byn[n].append(tr.f(dts(r))-c)
    return calibrate(byn,pop)
def predict_t(P,B,r,h,cf,kw,tail=0.1):
    tr=kw['tr']; c,n=cf(P,r,h,**kw)
    bk=[b for b in B if b[0]<=n][-1][1]
    outs=sorted(r['issue']+dt.timedelta(days=max(0,round_half(tr.inv(c+x)))) for x in bk)
    return wquant(outs,0.5), wquant(outs,tail), wquant(outs,1-tail)


def variants():
    K = [0, 0.25, 0.5, 1, 2, 4, 8, 16]
    yield 'current model', centre_base, [dict(k=k) for k in K], None
    yield 'Huber M-estimate, c=12 d', c_huber, [dict(k=k, hc=12) for k in [0, 0.25, 0.5, 1, 2]], None
    yield 'Huber M-estimate, c=5 d', c_huber, [dict(k=k, hc=5) for k in [0, 0.25, 0.5, 1, 2]], None
    yield 'trimmed mean 5%', c_trim, [dict(k=k, trim=0.05) for k in [0.25, 0.5, 1, 2]], None
    yield 'Hodges-Lehmann', c_hl, [dict(k=k) for k in [0, 0.25, 0.5, 1, 2]], None
    yield 'kernel-smoothed median h=4', c_kmed, [dict(k=k, h=4) for k in [0.25, 0.5, 1, 2]], None
    yield 'latent dispute mixture D=10', c_mix, [dict(k=k, D=10, kp=1) for k in [0.25, 1, 4]], None
    yield 'own prior weight n<3', c_ksplit, [dict(k=k, k2=k2, nb=3) for k in [0.25, 0.5, 1] for k2 in [0, 0.25, 0.5, 1, 2, 4]], None
    yield 'prior weight x spread', c_ksd, [dict(k=k, alpha=1) for k in [0.25, 0.5, 1, 2]], None
    yield 'drop paid issued <20 d ago', c_drop, [dict(k=k, W=20) for k in [0.25, 0.5, 1]], None
    yield 'truncation-aware mean s=10', c_trunc, [dict(k=k, s=10) for k in [0.25, 0.5, 1]], None
    yield 'affine electronic effect', c_aff, [dict(k=k) for k in [0, 0.25, 0.5, 1, 2]], fitpop_aff
    tr = T(50)
    yield 'log(days-to-settle + 50)', centre_t, [dict(k=k, tr=tr) for k in [0, 0.25, 0.5, 1, 2, 4]], fitpop_t(tr)
    tr0 = T(None)
    yield 'same, untransformed (ref.)', centre_t, [dict(k=k, tr=tr0) for k in [0, 0.25, 0.5, 1, 2, 4]], fitpop_t(tr0)

def oracle():
    # Not a model: each customer's level from ALL invoices (the tested one and later ones
    # included), with the best single shift, scored on the validation tail. A ceiling for any
    # estimator of the customer's level.
    used, vf, early, cases, P, Pf = prep(rows, TEST)
    by = collections.defaultdict(list)
    for r in rows: by[r['cust']].append(delay(r) - (P['E'] if r['el'] else 0))
    for kind, f in [('mean', mean), ('median', st.median)]:
        errs = [f(by[r['cust']]) + (P['E'] if r['el'] else 0) - delay(r) for r, h in cases]
        best = min((mean([abs(round_half(a + s)) for a in errs]), s) for s in [x / 4 for x in range(-16, 17)])
        print('oracle: customer %s over all data, val MAE %.3f (shift %.2f)' % (kind, best[0], best[1]))

if __name__ == '__main__':
    if 'oracle' in sys.argv[2:]:
        oracle(); sys.exit(0)
    show_test = '--test' in sys.argv[2:]
    names = [a for a in sys.argv[2:] if a != '--test']
    for name, cf, grid, fp in variants():
        if names and not any(n in name for n in names):
            continue
        run(name, cf, grid, fitpop=fp, show_test=show_test)
