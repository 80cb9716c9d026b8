"""The original stack for benchmarks: Flask + scikit-learn behind gunicorn, our own small app.

Same contract as the original app (POST /predict with {"data": point | [points]} -> labels).
The model is trained at import from the ground truth with rally's split (SPLIT_JSON), so no
pickle crosses processes. Run: gunicorn -w 2 -b 127.0.0.1:PORT --chdir bench/reference flask_app:app
"""
import csv
import json
import os

import numpy as np
from flask import Flask, jsonify, request
from sklearn.ensemble import RandomForestClassifier

from sklearn_reference import features

EXPECTED_KEYS = None
rows = list(csv.DictReader(open(os.environ['DATA_CSV'], newline='')))
split = json.load(open(os.environ['SPLIT_JSON']))
train = np.array(split['train'])
HITPOINTS = sorted({rows[i]['hitpoint'] for i in train})
EXPECTED_KEYS = set(rows[0].keys()) - {'outcome'}
X = features(rows, HITPOINTS)
y = np.array([r['outcome'] for r in rows])
model = RandomForestClassifier(n_estimators=int(os.environ.get('TREES', 100)), max_depth=int(os.environ.get('MAX_DEPTH', 20)),
                               random_state=42, n_jobs=1).fit(X[train], y[train])

app = Flask('original')


def as_csv_value(value):
    # features() reads CSV strings, as the original read a DataFrame built from the JSON.
    if value is True:
        return 'True'
    if value is False:
        return 'False'
    return value


@app.route('/predict', methods=['POST'])
def predict():
    try:
        data = request.get_json()['data']
    except (AttributeError, KeyError, TypeError):
        return jsonify({'message': "Request's body must be a JSON object with a 'data' key."}), 400
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(p, dict) and set(p) == EXPECTED_KEYS for p in data):
        return jsonify({'message': "'data' must be a single object or an array of objects."}), 400
    points = [{k: as_csv_value(v) for k, v in p.items()} for p in data]
    return jsonify(model.predict(features(points, HITPOINTS)).tolist())
