"""The original app's training command, as scikit-learn users run it, for pnpm bench:scale.

Reads a CSV with pandas, computes the original 12 features (14 columns), splits 80/20 stratified
(seed 42), scores 5-fold cross-validated log loss of RandomForestClassifier(100 trees, max depth
20) on the training part, fits it on the whole training part, scores the test part and pickles the
model: the work `pnpm train` does. Single core (n_jobs=1). Prints one JSON document on stdout.

Usage: python3 original_train.py <csv> <model.pkl>
"""
import json
import pickle
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

COLUMNS = ['speed', 'net.clearance', 'distance.from.sideline', 'depth', 'player.distance.travelled',
           'player.impact.depth', 'previous.distance.from.sideline', 'previous.time.to.net']


def features(frame, hitpoints):
    parts = [frame[COLUMNS].to_numpy(dtype=float)]
    parts.append(np.stack([(frame['hitpoint'] == h).to_numpy(dtype=float) for h in hitpoints[1:]], axis=1))
    out = (frame['outside.sideline'].astype(str) == 'True') | (frame['outside.baseline'].astype(str) == 'True')
    parts.append(out.to_numpy(dtype=float)[:, None])
    nc = frame['net.clearance'].to_numpy(dtype=float)
    parts.append(((nc > -0.948) & (nc < -0.946)).astype(float)[:, None])
    travelled = frame['player.distance.travelled'].to_numpy(dtype=float)
    straight = np.hypot(frame['player.distance.from.center'] - frame['player.impact.distance.from.center'],
                        frame['player.depth'] - frame['player.impact.depth']).to_numpy(dtype=float)
    with np.errstate(divide='ignore', invalid='ignore'):
        ratio = np.where(travelled == 0, 1.0, np.where(straight > 0, np.minimum(travelled / straight, 1e6), 1e6))
    parts.append(ratio[:, None])
    return np.hstack(parts)


def main():
    path, model_path = sys.argv[1:3]
    started = time.perf_counter()
    frame = pd.read_csv(path)
    y = frame['outcome'].to_numpy()
    train, test = train_test_split(np.arange(len(frame)), test_size=0.2, stratify=y, random_state=42)
    X = features(frame, sorted(frame['hitpoint'].iloc[train].unique()))
    model = RandomForestClassifier(n_estimators=100, max_depth=20, random_state=42, n_jobs=1)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=42)
    cv = -cross_val_score(model, X[train], y[train], cv=folds, scoring='neg_log_loss')
    model.fit(X[train], y[train])
    test_log_loss = log_loss(y[test], model.predict_proba(X[test]), labels=model.classes_)
    with open(model_path, 'wb') as out:
        pickle.dump(model, out)
    print(json.dumps({'rows': len(frame), 'cv_mean_log_loss': float(cv.mean()), 'test_log_loss': float(test_log_loss),
                      'seconds': time.perf_counter() - started}))


if __name__ == '__main__':
    main()
