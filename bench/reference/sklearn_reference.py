"""The original app's modelling pipeline in scikit-learn, for side-by-side benchmarks.

Reads the ground truth, computes the original 12 features (14 columns) itself, and uses the
train/test splits and CV folds rally computed (passed as JSON), so both sides see the same rows.
Single core (n_jobs=1), as the reference figures. Prints one JSON document on stdout.

Usage: python3 sklearn_reference.py full <csv> <split.json> <setting.json>
  One setting (RandomForestClassifier keyword arguments) on one split with its CV folds: fit and
  run times, test and CV log loss, prediction times, model size, the feature matrix's column sums.

       python3 sklearn_reference.py splits <csv> <splits.json> <settings.json>
  Each setting (keyword arguments plus "name") fitted on each split ({seed, train, test}): test
  log loss, accuracy, rows given p(true) < 1e-6, fit seconds.
"""
import csv
import json
import pickle
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, log_loss

COLUMNS = ['speed', 'net.clearance', 'distance.from.sideline', 'depth', 'player.distance.travelled',
           'player.impact.depth', 'previous.distance.from.sideline', 'previous.time.to.net']


def features(rows, hitpoints):
    out = []
    for r in rows:
        x = [float(r[c]) for c in COLUMNS]
        x += [1.0 if r['hitpoint'] == h else 0.0 for h in hitpoints[1:]]  # one-hot, first dropped
        x.append(1.0 if r['outside.sideline'] == 'True' or r['outside.baseline'] == 'True' else 0.0)
        nc = float(r['net.clearance'])
        x.append(1.0 if -0.948 < nc < -0.946 else 0.0)
        travelled = float(r['player.distance.travelled'])
        straight = np.hypot(float(r['player.distance.from.center']) - float(r['player.impact.distance.from.center']),
                            float(r['player.depth']) - float(r['player.impact.depth']))
        x.append(1.0 if travelled == 0 else min(travelled / straight, 1e6) if straight > 0 else 1e6)
        out.append(x)
    return np.array(out)


def splits_mode(path, splits_path, settings_path):
    rows = list(csv.DictReader(open(path, newline='')))
    y = np.array([r['outcome'] for r in rows])
    results = []
    for split in json.load(open(splits_path)):
        train, test = np.array(split['train']), np.array(split['test'])
        X = features(rows, sorted({rows[i]['hitpoint'] for i in train}))
        for setting in json.load(open(settings_path)):
            params = {k: v for k, v in setting.items() if k != 'name'}
            start = time.perf_counter()
            model = RandomForestClassifier(**{'random_state': 42, **params}, n_jobs=1).fit(X[train], y[train])
            fit_seconds = time.perf_counter() - start
            proba = model.predict_proba(X[test])
            true = proba[np.arange(len(test)), np.searchsorted(model.classes_, y[test])]
            results.append({
                'name': setting['name'], 'seed': split['seed'],
                'test_log_loss': log_loss(y[test], proba, labels=model.classes_),
                'accuracy': accuracy_score(y[test], model.classes_[proba.argmax(axis=1)]),
                'near_zero': int((true < 1e-6).sum()),
                'fit_seconds': fit_seconds,
            })
    print(json.dumps(results))


def main():
    mode, path, split_path, settings_path = sys.argv[1:5]
    if mode == 'splits':
        splits_mode(path, split_path, settings_path)
        return
    rows = list(csv.DictReader(open(path, newline='')))
    split = json.load(open(split_path))
    train, test = np.array(split['train']), np.array(split['test'])
    hitpoints = sorted({rows[i]['hitpoint'] for i in train})
    X = features(rows, hitpoints)
    y = np.array([r['outcome'] for r in rows])
    params = {**json.load(open(settings_path)), 'random_state': 42, 'n_jobs': 1}

    def fit(indices):
        return RandomForestClassifier(**params).fit(X[indices], y[indices])

    run_start = time.perf_counter()
    cv = []
    for fold in split['folds']:  # positions within the training part
        fold_train, fold_test = train[np.array(fold['train'])], train[np.array(fold['test'])]
        model = fit(fold_train)
        cv.append(log_loss(y[fold_test], model.predict_proba(X[fold_test]), labels=model.classes_))
    model = fit(train)
    run_seconds = time.perf_counter() - run_start
    fit_times = []
    for _ in range(3):  # median of three, as the TypeScript side
        fit_start = time.perf_counter()
        fit(train)
        fit_times.append(time.perf_counter() - fit_start)
    fit_seconds = sorted(fit_times)[1]

    proba = model.predict_proba(X[test])
    one = X[test[:1]]
    model.predict_proba(one)
    repeats = 200
    t = time.perf_counter()
    for _ in range(repeats):
        model.predict_proba(one)
    one_ms = (time.perf_counter() - t) / repeats * 1000
    thousand = X[np.resize(test, 1000)]
    t = time.perf_counter()
    for _ in range(5):
        model.predict_proba(thousand)
    thousand_ms = (time.perf_counter() - t) / 5 * 1000

    print(json.dumps({
        'fit_seconds': fit_seconds,
        'run_seconds': run_seconds,
        'test_log_loss': log_loss(y[test], proba, labels=model.classes_),
        'accuracy': accuracy_score(y[test], model.classes_[proba.argmax(axis=1)]),
        'cv_log_losses': cv,
        'cv_mean': float(np.mean(cv)),
        'cv_std': float(np.std(cv)),
        'predict_one_ms': one_ms,
        'predict_1000_ms': thousand_ms,
        'model_bytes': len(pickle.dumps(model)),
        'feature_column_sums': X.sum(axis=0).tolist(),
        'sklearn': __import__('sklearn').__version__,
    }))


if __name__ == '__main__':
    main()
