"""Writes data/lexicon/en_clusters.tsv from a spacy-lookups-data wheel and, optionally, the TextBlob
and LemmInflect wheels for the tag column (see README.md)."""
import csv
import gzip
import io
import json
import sys
import zipfile

wheel = zipfile.ZipFile(sys.argv[1])
clusters = json.loads(gzip.decompress(wheel.read("spacy_lookups_data/data/en_lexeme_cluster.json.gz")))
probs = json.loads(gzip.decompress(wheel.read("spacy_lookups_data/data/en_lexeme_prob.json.gz")))
words = [w for w, c in clusters.items()
         if c > 0 and w in probs and w and w.strip() == w and not any(ch in w for ch in " \t\n")]
words.sort(key=lambda w: -probs[w])

tags = {}
if len(sys.argv) > 2:
    # Brill's tagging lexicon as TextBlob ships it (word -> most frequent Penn Treebank tag) and
    # LemmInflect's lemma table (word -> the word classes it inflects in): "NN|noun,verb".
    brill = {}
    lexicon = zipfile.ZipFile(sys.argv[2]).read("textblob/en/en-lexicon.txt").decode("utf-8")
    for line in lexicon.splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith(";;;"):
            brill[parts[0]] = parts[1]
    classes = {}
    table = gzip.decompress(zipfile.ZipFile(sys.argv[3]).read("lemminflect/resources/lemma_lu.csv.gz")).decode("utf-8")
    for row in csv.reader(io.StringIO(table)):
        if len(row) >= 2:
            classes.setdefault(row[0], set()).add(row[1])
    for w in words:
        if w in brill or w in classes:
            tags[w] = brill.get(w, "") + "|" + ",".join(sorted(classes.get(w, ())))

header = "# word\tbrown_cluster\tlog_prob"
if tags:
    header += "\ttag"
print(header + "  (from spacy-lookups-data 1.0.5, MIT licence" + (", TextBlob 0.20.1 and LemmInflect 0.2.3, MIT licence" if tags else "") + "; see README.md)")
for w in words:
    line = f"{w}\t{clusters[w]}\t{probs[w]:.2f}"
    if tags:
        line += "\t" + tags.get(w, "")
    print(line)
