"""Writes data/lexicon/en_clusters.tsv from a spacy-lookups-data wheel (see README.md)."""
import gzip
import json
import sys
import zipfile

wheel = zipfile.ZipFile(sys.argv[1])
clusters = json.loads(gzip.decompress(wheel.read("spacy_lookups_data/data/en_lexeme_cluster.json.gz")))
probs = json.loads(gzip.decompress(wheel.read("spacy_lookups_data/data/en_lexeme_prob.json.gz")))
words = [w for w, c in clusters.items()
         if c > 0 and w in probs and w and w.strip() == w and not any(ch in w for ch in " \t\n")]
words.sort(key=lambda w: -probs[w])
print("# word\tbrown_cluster\tlog_prob  (from spacy-lookups-data 1.0.5, MIT licence; see README.md)")
for w in words:
    print(f"{w}\t{clusters[w]}\t{probs[w]:.2f}")
