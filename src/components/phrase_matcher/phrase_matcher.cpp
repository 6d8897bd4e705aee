// PhraseMatcher (phrase_matcher.hpp): the flat trie (an open-addressing edge table plus node and
// key-list arrays), adding and removing phrases, and matching.
#include "weft/components/phrase_matcher/phrase_matcher.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "weft/error.hpp"
#include "weft/strings/lexeme.hpp"

namespace weft {

namespace {

constexpr std::size_t kInitialSlots = 64;

// The first `limit` bytes of a text, cut at a UTF-8 character boundary, for error messages.
std::string excerpt(std::string_view text, std::size_t limit = 60) {
  if (text.size() <= limit) return std::string(text);
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

// What must have run on a pattern Doc for the attribute to hold a value (nullptr: nothing).
const char* annotation_source(Attr a) {
  switch (a) {
    case Attr::TAG: return "a tagger";
    case Attr::POS: return "a tagger or morphologizer";
    case Attr::MORPH: return "a morphologizer";
    case Attr::LEMMA: return "a lemmatizer";
    case Attr::DEP: return "a parser";
    case Attr::ENT_TYPE: return "an entity recognizer";
    default: return nullptr;
  }
}

}  // namespace

// ---- construction and attributes ----------------------------------------------------------------

PhraseMatcher::PhraseMatcher(std::shared_ptr<Vocab> vocab, Attr attr) : vocab_(std::move(vocab)), attr_(attr) {
  if (!vocab_) throw ValueError("PhraseMatcher: the vocab is null");
  check_attr(attr_);
  nodes_.emplace_back();  // the root
  table_.assign(kInitialSlots, Slot{});
}

PhraseMatcher::PhraseMatcher(std::shared_ptr<Vocab> vocab, std::string_view attr)
    : PhraseMatcher(std::move(vocab), parse_attr(attr)) {}

Attr PhraseMatcher::parse_attr(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "IS_SENT_START") upper = "SENT_START";  // spaCy's pattern name for it
  const std::optional<Attr> a = attr_from_name(upper);
  if (!a)
    throw ValueError("PhraseMatcher: unknown attribute \"" + std::string(name) +
                     "\" (use ORTH, LOWER, NORM, LEMMA, POS, TAG, MORPH, DEP, SHAPE, ENT_TYPE, a flag such as "
                     "IS_PUNCT, ...)");
  check_attr(*a);
  return *a;
}

void PhraseMatcher::check_attr(Attr attr) {
  const std::string_view name = attr_name(attr);
  if (name == "UNKNOWN")
    throw ValueError("PhraseMatcher: unknown attribute id " + std::to_string(static_cast<std::uint32_t>(attr)));
  // Positions, not properties of the token: a phrase of them would match by location only.
  if (attr == Attr::NULL_ATTR || attr == Attr::HEAD || attr == Attr::IDX)
    throw ValueError("PhraseMatcher: cannot match on attribute " + std::string(name) +
                     " (it is a position, not a token property)");
}

std::uint64_t PhraseMatcher::token_value(const Doc& doc, std::size_t i) const {
  if (i >= doc.size()) throw IndexError("PhraseMatcher: token index " + std::to_string(i) + " out of range");
  const TokenData& t = doc.data(i);
  // LOWER and NORM equal the lexeme's (Vocab::add and Vocab::lexeme both build lexemes with lex::make
  // from the Vocab's data), computed alone: the whole lexeme costs its shape and every flag as well.
  switch (attr_) {
    case Attr::ORTH:
    case Attr::ID: return t.orth;
    case Attr::LOWER: return hash_string(lex::lower(doc.token_text(i)));
    case Attr::NORM: return t.norm ? t.norm : hash_string(lex::norm(doc.token_text(i), doc.vocab().lex_attr_data()));
    default: return doc.attr_value(i, attr_);
  }
}

void PhraseMatcher::read_values(const Doc& doc, std::size_t start, std::size_t end,
                                std::vector<std::uint64_t>& out) const {
  out.resize(end - start);
  if (attr_ == Attr::ORTH || attr_ == Attr::ID) {  // the common case, without the per-token dispatch
    const TokenData* tokens = doc.tokens().data();
    for (std::size_t i = start; i < end; ++i) out[i - start] = tokens[i].orth;
    return;
  }
  for (std::size_t i = start; i < end; ++i) out[i - start] = token_value(doc, i);
}

// ---- the edge table -------------------------------------------------------------------------------

std::size_t PhraseMatcher::home(std::uint32_t parent, std::uint64_t value) const noexcept {
  // Values can be small integers (POS ids, flags, lengths), so they are mixed with the parent.
  return static_cast<std::size_t>(mix64(value, parent)) & (table_.size() - 1);
}

std::uint32_t PhraseMatcher::child(std::uint32_t parent, std::uint64_t value) const noexcept {
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = home(parent, value);; i = (i + 1) & mask) {
    const Slot& s = table_[i];
    if (s.child == 0) return 0;
    if (s.value == value && s.parent == parent) return s.child;
  }
}

void PhraseMatcher::mark_phrase_end(std::uint32_t parent, std::uint64_t value, bool ends) noexcept {
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = home(parent, value); table_[i].child != 0; i = (i + 1) & mask) {
    Slot& s = table_[i];
    if (s.value == value && s.parent == parent) {
      s.child = ends ? (s.child | kEndsPhrase) : (s.child & kNodeMask);
      return;
    }
  }
}

void PhraseMatcher::reserve_edges(std::size_t extra) {
  std::size_t cap = table_.size();
  while ((n_edges_ + extra) * 2 > cap) cap *= 2;
  if (cap == table_.size()) return;
  std::vector<Slot> old(cap);
  old.swap(table_);
  const std::size_t mask = cap - 1;
  for (const Slot& s : old) {
    if (s.child == 0) continue;
    std::size_t i = home(s.parent, s.value);
    while (table_[i].child != 0) i = (i + 1) & mask;
    table_[i] = s;
  }
}

void PhraseMatcher::insert_edge(std::uint32_t parent, std::uint64_t value, std::uint32_t child_node) {
  reserve_edges(1);
  const std::size_t mask = table_.size() - 1;
  std::size_t i = home(parent, value);
  while (table_[i].child != 0) i = (i + 1) & mask;
  table_[i] = Slot{value, parent, child_node};
  ++n_edges_;
  ++nodes_[parent].n_children;
}

void PhraseMatcher::erase_edge(std::uint32_t parent, std::uint64_t value) {
  const std::size_t mask = table_.size() - 1;
  std::size_t i = home(parent, value);
  while (!(table_[i].value == value && table_[i].parent == parent)) {
    if (table_[i].child == 0) return;  // not present
    i = (i + 1) & mask;
  }
  if (table_[i].child == 0) return;
  // Backward-shift deletion: later entries of the probe run move up into the hole when their home
  // slot does not lie cyclically in (hole, their slot], so every entry stays reachable without tombstones.
  std::size_t hole = i;
  for (std::size_t j = (i + 1) & mask; table_[j].child != 0; j = (j + 1) & mask) {
    const std::size_t k = home(table_[j].parent, table_[j].value);
    const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
    if (stays) continue;
    table_[hole] = table_[j];
    hole = j;
  }
  table_[hole] = Slot{};
  --n_edges_;
  --nodes_[parent].n_children;
}

std::uint32_t PhraseMatcher::new_node() {
  if (!free_nodes_.empty()) {
    const std::uint32_t id = free_nodes_.back();
    free_nodes_.pop_back();
    nodes_[id] = Node{};
    return id;
  }
  if (nodes_.size() >= kNodeMask) throw ValueError("PhraseMatcher: too many pattern tokens (2^31 trie nodes)");
  nodes_.emplace_back();
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

// ---- phrases ---------------------------------------------------------------------------------------

bool PhraseMatcher::insert_phrase(std::span<const std::uint64_t> values, std::uint32_t key) {
  if (values.empty()) return false;
  std::uint32_t node = 0, parent = 0;
  for (const std::uint64_t v : values) {
    std::uint32_t next = child(node, v) & kNodeMask;
    if (next == 0) {
      next = new_node();
      insert_edge(node, v, next);
    }
    parent = node;
    node = next;
  }
  if (nodes_[node].terms == kNone) mark_phrase_end(parent, values.back(), true);
  // The node's key list stays sorted by key index, so one phrase under several keys reports them in
  // the order the keys were first added.
  std::uint32_t prev = kNone, cur = nodes_[node].terms;
  while (cur != kNone && terms_[cur].key < key) {
    prev = cur;
    cur = terms_[cur].next;
  }
  if (cur != kNone && terms_[cur].key == key) return false;
  std::uint32_t t;
  if (!free_terms_.empty()) {
    t = free_terms_.back();
    free_terms_.pop_back();
  } else {
    t = static_cast<std::uint32_t>(terms_.size());
    terms_.emplace_back();
  }
  terms_[t] = Term{keys_[key].id, key, cur};
  if (prev == kNone) nodes_[node].terms = t;
  else terms_[prev].next = t;
  return true;
}

void PhraseMatcher::erase_phrase(std::span<const std::uint64_t> values, std::uint32_t key) {
  if (values.empty()) return;  // never stored
  std::vector<std::uint32_t> path(values.size() + 1, 0);  // path[d]: the node after d tokens
  for (std::size_t d = 0; d < values.size(); ++d) {
    path[d + 1] = child(path[d], values[d]) & kNodeMask;
    if (path[d + 1] == 0) return;  // not in the trie
  }
  Node& end_node = nodes_[path.back()];
  std::uint32_t prev = kNone, cur = end_node.terms;
  while (cur != kNone && terms_[cur].key != key) {
    prev = cur;
    cur = terms_[cur].next;
  }
  if (cur == kNone) return;
  if (prev == kNone) end_node.terms = terms_[cur].next;
  else terms_[prev].next = terms_[cur].next;
  free_terms_.push_back(cur);
  if (end_node.terms == kNone) mark_phrase_end(path[path.size() - 2], values.back(), false);
  // Prune the nodes that now lead to no phrase, from the end of the path up.
  for (std::size_t d = values.size(); d > 0; --d) {
    const std::uint32_t node = path[d];
    if (nodes_[node].terms != kNone || nodes_[node].n_children != 0) break;
    erase_edge(path[d - 1], values[d - 1]);
    free_nodes_.push_back(node);
  }
}

void PhraseMatcher::add(std::string_view key, std::span<const Doc* const> docs, OnMatch on_match) {
  if (key.empty()) throw ValueError("PhraseMatcher.add: the key must not be empty");
  const std::string where = "PhraseMatcher.add(\"" + excerpt(key) + "\"): ";
  const hash_t id = hash_string(key);
  const auto known = key_index_.find(id);
  if (known != key_index_.end() && keys_[known->second].name != key)
    throw ValueError(where + "the key's hash equals that of key \"" + excerpt(keys_[known->second].name) + "\"");

  // Every pattern is checked and read before anything changes.
  const char* needs = annotation_source(attr_);
  std::vector<std::uint64_t> values;
  std::vector<std::uint32_t> ends;
  for (std::size_t k = 0; k < docs.size(); ++k) {
    const Doc* doc = docs[k];
    if (doc == nullptr) throw ValueError(where + "pattern " + std::to_string(k) + " is null");
    if (doc->empty()) continue;  // spaCy skips empty pattern Docs
    if (needs && !doc->has_annotation(attr_)) {
      const std::string name(attr_name(attr_));
      throw ValueError(where + "pattern " + std::to_string(k) + " (\"" + excerpt(doc->text()) + "\") has no " + name +
                       " annotation; matching on " + name + " needs pattern Docs processed by " + needs +
                       " (nlp(text) rather than nlp.make_doc(text))");
    }
    for (std::size_t i = 0; i < doc->size(); ++i) values.push_back(token_value(*doc, i));
    ends.push_back(static_cast<std::uint32_t>(values.size()));
  }

  // spaCy adds the key to the StringStore so that strings[match_id] gives it back; a frozen store (a
  // loaded model's) keeps its size, and key_name() still knows the key.
  if (!vocab_->strings().frozen()) vocab_->strings().add(key);
  std::uint32_t k;
  if (known != key_index_.end()) {
    k = known->second;
  } else {
    if (keys_.size() >= kNone - 1) throw ValueError(where + "too many keys");
    k = static_cast<std::uint32_t>(keys_.size());
    KeyRecord rec;
    rec.name = std::string(key);
    rec.id = id;
    rec.live = true;
    keys_.push_back(std::move(rec));
    key_index_.emplace(id, k);
  }
  keys_[k].on_match = std::move(on_match);
  reserve_edges(values.size());
  std::size_t begin = 0;
  for (const std::uint32_t end : ends) {
    const std::span<const std::uint64_t> phrase(values.data() + begin, end - begin);
    if (insert_phrase(phrase, k)) {
      KeyRecord& rec = keys_[k];
      rec.values.insert(rec.values.end(), phrase.begin(), phrase.end());
      rec.ends.push_back(static_cast<std::uint32_t>(rec.values.size()));
      ++n_phrases_;
    }
    begin = end;
  }
}

void PhraseMatcher::add(std::string_view key, const std::vector<Doc>& docs, OnMatch on_match) {
  std::vector<const Doc*> ptrs;
  ptrs.reserve(docs.size());
  for (const Doc& d : docs) ptrs.push_back(&d);
  add(key, std::span<const Doc* const>(ptrs), std::move(on_match));
}

void PhraseMatcher::remove(std::string_view key) {
  const auto it = key_index_.find(hash_string(key));
  if (it == key_index_.end() || keys_[it->second].name != key)
    throw KeyError("PhraseMatcher.remove: no key \"" + excerpt(key) + "\"");
  const std::uint32_t k = it->second;
  KeyRecord& rec = keys_[k];
  std::size_t begin = 0;
  for (const std::uint32_t end : rec.ends) {
    erase_phrase(std::span<const std::uint64_t>(rec.values.data() + begin, end - begin), k);
    begin = end;
  }
  n_phrases_ -= rec.ends.size();
  key_index_.erase(it);
  rec = KeyRecord{};  // dead: frees its phrases and callback
  ++dead_keys_;
  if (dead_keys_ > 64 && dead_keys_ * 2 > keys_.size()) compact_keys();
}

void PhraseMatcher::compact_keys() {
  // Renumbering keeps the order of the live keys, so every key list stays sorted.
  std::vector<std::uint32_t> renumber(keys_.size(), kNone);
  std::vector<KeyRecord> live;
  live.reserve(keys_.size() - dead_keys_);
  for (std::size_t k = 0; k < keys_.size(); ++k) {
    if (!keys_[k].live) continue;
    renumber[k] = static_cast<std::uint32_t>(live.size());
    key_index_[keys_[k].id] = renumber[k];
    live.push_back(std::move(keys_[k]));
  }
  // Entries on free_terms_ may name dead keys (or kNone after an earlier compaction); nothing reads
  // them before they are reused.
  for (Term& t : terms_) t.key = t.key < renumber.size() ? renumber[t.key] : kNone;
  keys_ = std::move(live);
  dead_keys_ = 0;
}

std::vector<std::string> PhraseMatcher::keys() const {
  std::vector<std::string> out;
  out.reserve(key_index_.size());
  for (const KeyRecord& rec : keys_)
    if (rec.live) out.push_back(rec.name);
  return out;
}

std::optional<std::string_view> PhraseMatcher::key_name(hash_t match_id) const {
  const auto it = key_index_.find(match_id);
  if (it == key_index_.end()) return std::nullopt;
  return std::string_view(keys_[it->second].name);
}

// ---- matching --------------------------------------------------------------------------------------

void PhraseMatcher::find(const Doc& doc, std::size_t start, std::size_t end, std::vector<PhraseMatch>& out) const {
  if (start > end || end > doc.size())
    throw IndexError("PhraseMatcher: token range [" + std::to_string(start) + ", " + std::to_string(end) +
                     ") is outside the Doc of " + std::to_string(doc.size()) + " tokens");
  if (start == end || n_edges_ == 0) return;
  // One buffer per thread, grown to the longest Doc seen: no allocation per Doc or token.
  thread_local std::vector<std::uint64_t> values;
  read_values(doc, start, end, values);
  const std::size_t n = end - start;
  // The first lookup of each start position is independent of the others: fetching its slot a few
  // tokens ahead hides the memory latency of a table larger than the caches.
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < std::min(n, kAhead); ++i) __builtin_prefetch(&table_[home(0, values[i])]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) __builtin_prefetch(&table_[home(0, values[i + kAhead])]);
    std::uint32_t edge = child(0, values[i]);
    std::size_t j = i + 1;  // tokens [i, j) lead to the edge's node
    while (edge != 0) {
      if (edge & kEndsPhrase)
        for (std::uint32_t t = nodes_[edge & kNodeMask].terms; t != kNone; t = terms_[t].next)
          out.push_back(PhraseMatch{terms_[t].id, start + i, start + j});
      if (j == n) break;
      edge = child(edge & kNodeMask, values[j]);
      ++j;
    }
  }
}

std::vector<PhraseMatch> PhraseMatcher::find(const Doc& doc) const {
  std::vector<PhraseMatch> out;
  find(doc, 0, doc.size(), out);
  return out;
}

std::vector<PhraseMatch> PhraseMatcher::find(const Span& span) const {
  std::vector<PhraseMatch> out;
  find(span.doc(), span.start(), span.end(), out);
  return out;
}

std::vector<PhraseMatch> PhraseMatcher::operator()(Doc& doc, std::size_t start, std::size_t end) const {
  std::vector<PhraseMatch> matches;
  find(doc, start, end, matches);
  // As spaCy: callbacks run after matching, in match order, and may change the list (its size is
  // read again after each call).
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const auto it = key_index_.find(matches[i].match_id);
    if (it == key_index_.end()) continue;
    if (!keys_[it->second].on_match) continue;
    const OnMatch callback = keys_[it->second].on_match;  // a copy: the callback may change this matcher
    callback(*this, doc, i, matches);
  }
  return matches;
}

std::vector<Span> PhraseMatcher::as_spans(const Doc& doc, const std::vector<PhraseMatch>& matches) {
  std::vector<Span> out;
  out.reserve(matches.size());
  for (const PhraseMatch& m : matches) {
    const Span checked = doc.span(m.start, m.end);  // IndexError for a range a callback broke
    out.emplace_back(&doc, checked.start(), checked.end(), m.match_id);
  }
  return out;
}

}  // namespace weft
