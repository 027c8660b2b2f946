// Typed, schema-checked configuration. A command defines its schema as YAML text with every
// key's default (a two-level map: section -> key -> value); user files and `section.key=value`
// overrides may only set keys that exist there, with values of the default's type. Unknown keys
// are errors that list the valid ones, so a typo never silently falls back to a default.
//
// Every numeric key carries its valid range next to its default, in interval notation:
//   mask_prob: {default: 0.3, range: "[0, 1]"}    # closed
//   teacher_temp: {default: 0.04, range: "(0, inf)"}  # open: 0 and inf excluded
// A value outside it (NaN always is) is refused when it is set, naming the file and line or the
// override and the range, so a dry run refuses it too. A list key may carry a range for its
// items. A numeric key without a range is a schema error: no number goes unchecked.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace helix {

class Config {
 public:
  // Parses the schema with defaults. Throws helix::Error if the schema itself is malformed.
  explicit Config(const std::string& defaults_yaml);

  // Merges a YAML file over the current values. Throws InputError (file, line) for unknown
  // sections or keys (listing the valid ones), values of the wrong type, or invalid YAML.
  void merge_file(const std::string& path);
  // Applies "section.key=value"; the value is parsed as a YAML scalar or flow sequence.
  // Throws UsageError for a malformed assignment, unknown key or wrongly typed value.
  void apply_override(const std::string& assignment);

  bool has(const std::string& key) const { return values_.count(key) != 0; }
  int64_t get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  std::vector<std::string> get_strings(const std::string& key) const;
  // A string key that must be one of `choices`; otherwise fail(key) with the choices listed.
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices) const;
  // Sets a value from code (same type and range rules as an override); `origin` names where
  // the value came from in messages (e.g. "--threads 8"), default: the override it forms.
  void set(const std::string& key, const std::string& yaml_value, const std::string& origin = "");

  // Where the value of `key` was set: "FILE:LINE", "override 'a.b=v'", or "default".
  std::string origin(const std::string& key) const;
  // The valid range of a numeric key as written in the schema ("" when it has none).
  std::string range(const std::string& key) const;
  // Throws the error a bad value of `key` deserves, for checks that span keys or need more
  // than a range (e.g. two fractions whose sum must stay at most 1): InputError at the file and
  // line that set it, else UsageError naming the override (or the default).
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

  // Keys as "section.key", in schema order.
  const std::vector<std::string>& keys() const { return order_; }
  // The resolved config as YAML text (sections in schema order) and as JSON.
  std::string to_yaml() const;
  nlohmann::json to_json() const;

 private:
  enum class Kind { kInt, kFloat, kBool, kString, kList };
  struct Range {
    double lo = 0, hi = 0;
    bool lo_closed = true, hi_closed = true;
    std::string text;
    bool contains(double v) const;
  };
  struct Origin {
    std::string file;  // the config file, or empty for an override or the default
    int64_t line = 0;
    std::string override_text;  // the override, when set by one
  };
  void assign(const std::string& key, const YAML::Node& value, const Origin& origin);
  void set_from(const std::string& assignment, const std::string& origin);
  void check_range(const std::string& key, const YAML::Node& value, const Origin& origin) const;
  [[noreturn]] static void fail_at(const Origin& origin, const std::string& problem);
  const YAML::Node& node(const std::string& key) const;
  std::string valid_keys_in(const std::string& section) const;
  std::string valid_sections() const;

  std::vector<std::string> order_;
  std::map<std::string, YAML::Node> values_;
  std::map<std::string, Kind> kinds_;
  std::map<std::string, Range> ranges_;
  std::map<std::string, Origin> origins_;
};

}  // namespace helix
