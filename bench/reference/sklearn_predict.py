"""scikit-learn's predict_proba on rally's own trees, for pnpm bench:predict.

Usage: python3 sklearn_predict.py <trees.json> <X.f64> <rows> <cols>
  trees.json: {"classes": [...], "trees": [{"left", "right", "feature", "threshold", "value"}]},
  node arrays in rally's preorder, leaves with left = right = -1 and value = the leaf's class
  probabilities (rally's leaf prior folded in). X.f64: the feature matrix, row-major little-endian
  float64.

The trees are written into a RandomForestClassifier's estimators (no fitting), so scikit-learn walks
exactly rally's splits. Its trees compare float32 inputs (`x <= threshold` goes left), rally's float64
(`x < threshold`): each threshold becomes the largest float64 below rally's, which gives rally's
branch wherever float32 can tell the two sides apart (not for the distance ratio's values a few 1e-10
under 1, for one); the agreement reached is measured and printed rather than assumed.

Protocol (one JSON document per line on stdout, single core):
  first: {"ready": true, "max_abs_diff": ..., "rows_within_1e6": ...} against rally's probabilities
         read from <X.f64>.proba (rows x k float64)
  then, per line "round <batch> <seconds>" on stdin: {"batch", "calls", "seconds"} after calling
  predict_proba on consecutive batches for about <seconds>.
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.tree._tree import Tree


def build_forest(spec, n_features):
    classes = np.array(spec['classes'])
    k = len(classes)
    # The node record's dtype differs between scikit-learn versions: take it from a fitted tree.
    probe = DecisionTreeClassifier(max_depth=1).fit(np.array([[0.0], [1.0]]), [0, 1])
    node_dtype = probe.tree_.__getstate__()['nodes'].dtype
    estimators = []
    for t in spec['trees']:
        n = len(t['feature'])
        nodes = np.zeros(n, dtype=node_dtype)
        nodes['left_child'] = t['left']
        nodes['right_child'] = t['right']
        nodes['feature'] = [max(f, -2) if f >= 0 else -2 for f in t['feature']]
        thresholds = np.array(t['threshold'], dtype=np.float64)
        nodes['threshold'] = np.where(np.array(t['feature']) >= 0, np.nextafter(thresholds, -np.inf), -2.0)
        nodes['n_node_samples'] = 1
        nodes['weighted_n_node_samples'] = 1.0
        values = np.array(t['value'], dtype=np.float64).reshape(n, 1, k)
        depth = t['depth']
        tree = Tree(n_features, np.array([k], dtype=np.intp), 1)
        tree.__setstate__({'max_depth': depth, 'node_count': n, 'nodes': nodes, 'values': values})
        est = DecisionTreeClassifier()
        est.tree_ = tree
        est.n_outputs_ = 1
        est.n_classes_ = k
        est.classes_ = classes
        est.n_features_in_ = n_features
        est.max_features_ = n_features
        estimators.append(est)
    forest = RandomForestClassifier(n_estimators=len(estimators), n_jobs=1)
    forest.estimators_ = estimators
    forest.classes_ = classes
    forest.n_classes_ = k
    forest.n_outputs_ = 1
    forest.n_features_in_ = n_features
    return forest


def main():
    trees_path, x_path, rows, cols = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(trees_path) as f:
        spec = json.load(f)
    X = np.fromfile(x_path, dtype='<f8').reshape(rows, cols)
    expected = np.fromfile(x_path + '.proba', dtype='<f8').reshape(rows, -1)
    forest = build_forest(spec, cols)
    got = forest.predict_proba(X)
    diff = np.abs(got - expected).max(axis=1)
    print(json.dumps({'ready': True, 'max_abs_diff': float(diff.max()), 'rows_within_1e6': int((diff <= 1e-6).sum())}), flush=True)
    offset = 0
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != 'round':
            break
        batch, seconds = int(parts[1]), float(parts[2])
        forest.predict_proba(X[:batch])  # warm
        calls = 0
        started = time.perf_counter()
        while True:
            start = offset if offset + batch <= rows else 0
            forest.predict_proba(X[start:start + batch])
            offset = start + batch
            calls += 1
            elapsed = time.perf_counter() - started
            if elapsed >= seconds:
                break
        print(json.dumps({'batch': batch, 'calls': calls, 'seconds': elapsed}), flush=True)


main()
