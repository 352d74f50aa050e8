"""A second insurer's book for the open-book tests (tests/open_book.rs): its own assumption
set (eight sectors with Chinese names, three size bands, a 4-tier 沪科积分 scale of 0-100),
claims experience, a JSON policy list and pricing settings. Seeded: rerunning reproduces the
files byte for byte. Figures are illustrative; the structure is what the tests exercise.

    python3 scripts/make_insurer_b.py
"""
import csv
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "insurer_b")
BUNDLED = os.path.join(HERE, "..", "data", "assumptions", "shanghai_2025.json")

SECTORS = ["集成电路", "生物医药", "人工智能", "低空经济", "人形机器人", "新材料", "商业航天", "量子科技"]
CYBER_MULT = [1.2, 1.1, 1.3, 1.0, 1.15, 0.8, 0.9, 1.25]
SIZES = ["小微", "中型", "大型"]

b = json.load(open(BUNDLED))
a = {
    "name": "乙保险公司 科技保险定价假设 2026",
    "note": "Illustrative second insurer: eight sectors, three size bands, a 0-100 score in four tiers.",
    "score_scale": {"min": 0, "max": 100, "cuts": [40, 60, 80]},
    "sectors": SECTORS,
    "sizes": SIZES,
    "rnd": {"note": "Project types renamed from the bundled set.",
            "projects": [dict(p, name={"biomedicine_drug": "新药", "biomedicine_oncology": "肿瘤药",
                                        "ic_tapeout": "流片", "ai_software": "软件"}[p["name"]])
                         for p in b["rnd"]["projects"]]},
    "ip": dict(b["ip"], suits=dict(b["ip"]["suits"],
                                   sector_lifetime_suits_per_1000_patents={"生物医药": 20.1},
                                   size_multiplier={"小微": 1.5, "中型": 1.0, "大型": 0.7})),
    "guarantees": [
        {"name": "履约贷款", "line": "guarantee", "source": "illustrative 4-tier table",
         "default_probability": {"by_tier": [0.05, 0.03, 0.02, 0.01]},
         "loss_given_default": 0.8, "insurer_share": 0.45},
    ],
    "cyber": dict(b["cyber"], frequency=dict(b["cyber"]["frequency"],
                                             breach_share={"小微": 0.5, "中型": 0.7, "大型": 0.74},
                                             sector_multiplier=dict(zip(SECTORS, CYBER_MULT))),
                  business_interruption=dict(b["cyber"]["business_interruption"],
                                             hourly_loss={"小微": 3.0e3, "中型": 5.0e4, "大型": 2.0e5})),
    "risk_reduction": [
        {"name": "安全监测", "frequency_factor": 0.8, "source": "illustrative"},
    ],
    "products": [
        {"name": "研发损失险", "line": "研发", "model": {"mechanism": "stage_gate"}},
        {"name": "专利责任险", "line": "知识产权", "model": {"mechanism": "litigation", "kind": "defence"},
         "exposure": "诉讼标的额"},
        {"name": "履约贷款", "line": "guarantee", "model": {"mechanism": "guarantee", "product": "履约贷款"},
         "exposure": "贷款"},
        {"name": "网络安全险", "line": "网络", "model": {"mechanism": "cyber"},
         "shocks": ["云服务中断"], "measures": ["安全监测"]},
    ],
    "shocks": [
        {"name": "云服务中断", "annual_rate": 0.05, "hit_probability": {"人工智能": 0.3, "人形机器人": 0.2},
         "default_hit_probability": 0.05, "intensity_cv": 1.0,
         "loss": {"type": "lognormal", "mu": 12.0, "sigma": 1.2},
         "terms": {"deductible": 20000, "limit": 3000000}},
    ],
    "dependence": {"groups": SECTORS, "copula": {"type": "gumbel", "theta": 1.3, "dimension": 8}},
}
with open(os.path.join(OUT, "assumptions.json"), "w") as fh:
    json.dump(a, fh, ensure_ascii=False, indent=2)
    fh.write("\n")

# Experience: 240 firms over three years, Poisson claims with tier relativities 1.6/1.2/1.0/0.7.
rng = np.random.default_rng(20260101)
tier_rel = [1.6, 1.2, 1.0, 0.7]
rows = []
for i in range(240):
    sector = SECTORS[i % 8]
    base_score = float(rng.uniform(5, 98))
    for year in (2023, 2024, 2025):
        score = round(min(100.0, max(0.0, base_score + float(rng.normal(0, 3)))), 1)
        tier = sum(score >= c for c in (40, 60, 80))
        exposure = 1.0 if year > 2023 else round(float(rng.uniform(0.3, 1.0)), 4)
        mean = 0.25 * tier_rel[tier] * CYBER_MULT[i % 8] * exposure
        rows.append([f"B{i:04d}", year, sector, score, exposure, int(rng.poisson(mean))])
with open(os.path.join(OUT, "experience.csv"), "w") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["firm", "year", "sector", "score", "exposure", "claims"])
    w.writerows(rows)

# The book: 16 firms, one per sector twice, as a JSON policy list.
firms = []
for k in range(16):
    sector = SECTORS[k % 8]
    firm = {"id": f"B{k:04d}", "sector": sector, "size": SIZES[k % 3],
            "stage": ["start_up", "growth", "mature"][k % 3],
            "score": [15.0, 45.0, 65.0, 90.0][k % 4],
            "patents": 10 + 5 * k,
            "covers": []}
    terms = {"claim": {"deductible": 50000, "limit": 5000000, "share": 0.8}}
    if k % 5 == 2:
        firm["covers"].append({"product": "研发损失险", "project": "流片", "terms": terms})
    if k % 4 == 1:
        firm["covers"].append({"product": "专利责任险", "exposure": 5.0e6, "terms": terms})
    if k % 6 == 3:
        firm["covers"].append({"product": "履约贷款", "exposure": 2.0e6, "terms": terms})
    firm["covers"].append({"product": "网络安全险", "terms": terms})
    if k == 5:
        firm["overrides"] = {"cyber_frequency": 0.9}
    if k == 6:
        firm["measures"] = ["安全监测"]
    firms.append(firm)
with open(os.path.join(OUT, "policies.json"), "w") as fh:
    json.dump(firms, fh, ensure_ascii=False, indent=2)
    fh.write("\n")

pricing = {
    "simulation": {"seed": 11, "trials": 20000},
    "tvar_level": 0.99,
    "loadings": {"cost_of_capital": 0.08, "expense_ratio": 0.15, "commission_ratio": 0.05,
                 "profit_ratio": 0.05, "minimum_premium": 1000, "rounding": 10},
    "rating": {"experience": "experience.csv",
               "spec": {"response": "claims", "exposure": "exposure",
                        "factors": [{"kind": "score_tier", "column": "score"},
                                    {"kind": "categorical", "column": "sector", "base": "集成电路"}]},
               "family": "poisson", "credibility_alpha": 0.2},
    "subsidies": [{"rule": "score_tiered", "shares": [0.1, 0.2, 0.3, 0.4],
                   "per_policy_cap": 200000, "per_firm_year_cap": 200000}],
}
with open(os.path.join(OUT, "pricing.json"), "w") as fh:
    json.dump(pricing, fh, ensure_ascii=False, indent=2)
    fh.write("\n")
print(len(firms), "firms,", len(rows), "experience rows")
