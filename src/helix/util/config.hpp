// Typed, schema-checked configuration. A command defines its schema as YAML text with every
// key's default (a two-level map: section -> key -> value); user files and `section.key=value`
// overrides may only set keys that exist there, with values of the default's type. Unknown keys
// are errors that list the valid ones, so a typo never silently falls back to a default.
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
  // A string key that must be one of `choices`; throws UsageError listing them otherwise.
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices) const;
  // Sets a value from code (same type rules as an override).
  void set(const std::string& key, const std::string& yaml_value);

  // Keys as "section.key", in schema order.
  const std::vector<std::string>& keys() const { return order_; }
  // The resolved config as YAML text (sections in schema order) and as JSON.
  std::string to_yaml() const;
  nlohmann::json to_json() const;

 private:
  enum class Kind { kInt, kFloat, kBool, kString, kList };
  void assign(const std::string& key, const YAML::Node& value, const std::string& origin,
              int64_t line, bool usage);
  const YAML::Node& node(const std::string& key) const;
  std::string valid_keys_in(const std::string& section) const;
  std::string valid_sections() const;

  std::vector<std::string> order_;
  std::map<std::string, YAML::Node> values_;
  std::map<std::string, Kind> kinds_;
};

}  // namespace helix
