#pragma once
// UD FEATS strings ("Case=Nom|Number=Sing"): the one canonical form that Doc::set_morph, the
// retokenizer, the matcher's MORPH predicates and the morphologizer's label order all use.
#include <optional>
#include <string>
#include <string_view>

namespace weft::doc_detail {

// a < b comparing ASCII letters without case (UD orders feature names this way).
bool less_nocase(std::string_view a, std::string_view b);

// The UD FEATS string canonicalized: features and each feature's values sorted, case-insensitively
// (UD's order) or by bytes (spaCy's normalize_features). "" and "_" give "". nullopt when malformed.
std::optional<std::string> canonical_feats(std::string_view feats, bool case_insensitive);

}  // namespace weft::doc_detail
