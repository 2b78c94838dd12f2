// Tags in a statement's comment: sqlcommenter (/*key='value',...*/, values
// URL-encoded) and Rails marginalia (/*key:value,...*/). The one parser for
// the N+1 findings' code location (CodeTags) and the journeys' tag match.
// The values come from the logs: callers decide what may be shown.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgsift {

struct CommentTag {
  std::string_view key;    // trimmed, as written
  std::string_view value;  // trimmed, quotes removed, still URL-encoded
};

// The tags of `comment`, in order, with or without its /* */. Items are
// separated by commas outside single quotes; an item without '=' or ':' is
// skipped.
std::vector<CommentTag> ParseCommentTags(std::string_view comment);

// %XX decoded; a '%' not followed by two hex digits stays as it is.
std::string UrlDecode(std::string_view text);

}  // namespace pgsift
