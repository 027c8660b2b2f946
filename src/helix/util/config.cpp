#include "helix/util/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <sstream>

#include "helix/util/error.hpp"

namespace helix {
namespace {

bool parses_as_int(const YAML::Node& n) {
  int64_t v;
  return n.IsScalar() && YAML::convert<int64_t>::decode(n, v);
}
bool parses_as_double(const YAML::Node& n) {
  double v;
  return n.IsScalar() && YAML::convert<double>::decode(n, v);
}
bool parses_as_bool(const YAML::Node& n) {
  bool v;
  return n.IsScalar() && YAML::convert<bool>::decode(n, v);
}

std::string emit_scalar_or_list(const YAML::Node& n) {
  YAML::Emitter out;
  out << YAML::Flow << n;
  return out.c_str();
}

// One bound of an interval: a number, inf or -inf.
bool parse_bound(std::string text, double& out) {
  const auto first = text.find_first_not_of(' ');
  const auto last = text.find_last_not_of(' ');
  if (first == std::string::npos) return false;
  text = text.substr(first, last - first + 1);
  if (text == "inf" || text == "+inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "-inf") {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(out);
}

// A number as the user wrote it in a range message: integers without a fraction.
std::string format_number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

bool Config::Range::contains(double v) const {
  if (std::isnan(v)) return false;
  const bool above = lo_closed ? v >= lo : v > lo;
  const bool below = hi_closed ? v <= hi : v < hi;
  return above && below;
}

Config::Config(const std::string& defaults_yaml) {
  YAML::Node root = YAML::Load(defaults_yaml);
  if (!root.IsMap()) throw Error("config schema must be a map of sections");
  for (const auto& section : root) {
    const auto section_name = section.first.as<std::string>();
    if (!section.second.IsMap())
      throw Error("config schema section " + section_name + " is not a map");
    for (const auto& entry : section.second) {
      const auto key = section_name + "." + entry.first.as<std::string>();
      YAML::Node v = entry.second;
      std::string range_text;
      if (v.IsMap()) {  // {default: V, range: "[lo, hi]"}
        if (!v["default"] || !v["range"] || v.size() != 2) {
          throw Error("config schema key " + key + " must be a value or {default, range}");
        }
        range_text = v["range"].as<std::string>();
        v = v["default"];
      }
      // A quoted scalar ("...") is always a string; plain scalars take the type they parse as.
      const bool plain = v.IsScalar() && v.Tag() != "!";
      Kind kind = Kind::kString;
      if (v.IsSequence()) {
        kind = Kind::kList;
      } else if (plain && parses_as_int(v)) {
        kind = Kind::kInt;
      } else if (plain && parses_as_double(v)) {
        kind = Kind::kFloat;
      } else if (plain && parses_as_bool(v)) {
        kind = Kind::kBool;
      }
      const bool numeric = kind == Kind::kInt || kind == Kind::kFloat;
      if (numeric && range_text.empty()) {
        throw Error("config schema key " + key + " is numeric but has no range");
      }
      if (!range_text.empty()) {
        if (!numeric && kind != Kind::kList) {
          throw Error("config schema key " + key + " has a range but is not numeric");
        }
        Range r;
        r.text = range_text;
        const auto comma = range_text.find(',');
        const bool shaped = range_text.size() >= 5 && comma != std::string::npos &&
                            (range_text.front() == '[' || range_text.front() == '(') &&
                            (range_text.back() == ']' || range_text.back() == ')');
        if (!shaped || !parse_bound(range_text.substr(1, comma - 1), r.lo) ||
            !parse_bound(range_text.substr(comma + 1, range_text.size() - comma - 2), r.hi) ||
            r.lo > r.hi) {
          throw Error("config schema key " + key + ": malformed range '" + range_text +
                      "' (expected e.g. [0, 1] or (0, inf))");
        }
        r.lo_closed = range_text.front() == '[';
        r.hi_closed = range_text.back() == ']';
        ranges_[key] = r;
      }
      order_.push_back(key);
      kinds_[key] = kind;
      values_[key] = YAML::Clone(v);
      origins_[key] = Origin{};
      if (!range_text.empty()) check_range(key, v, Origin{});
    }
  }
}

std::string Config::valid_sections() const {
  std::string out;
  std::string last;
  for (const auto& key : order_) {
    auto section = key.substr(0, key.find('.'));
    if (section != last) out += (out.empty() ? "" : ", ") + section;
    last = section;
  }
  return out;
}

std::string Config::valid_keys_in(const std::string& section) const {
  std::string out;
  for (const auto& key : order_) {
    if (key.compare(0, section.size() + 1, section + ".") == 0) {
      out += (out.empty() ? "" : ", ") + key.substr(section.size() + 1);
    }
  }
  return out;
}

void Config::fail_at(const Origin& origin, const std::string& problem) {
  if (!origin.file.empty()) throw InputError(origin.file, origin.line, problem);
  if (!origin.override_text.empty()) {
    throw UsageError(origin.override_text + ": " + problem);
  }
  throw UsageError(problem + " (the default)");
}

void Config::fail(const std::string& key, const std::string& problem) const {
  auto it = origins_.find(key);
  fail_at(it == origins_.end() ? Origin{} : it->second, problem);
}

std::string Config::origin(const std::string& key) const {
  auto it = origins_.find(key);
  if (it == origins_.end()) throw Error("internal: config key '" + key + "' not in schema");
  const auto& o = it->second;
  if (!o.file.empty()) return o.file + ":" + std::to_string(o.line);
  if (!o.override_text.empty()) return o.override_text;
  return "default";
}

std::string Config::range(const std::string& key) const {
  auto it = ranges_.find(key);
  return it == ranges_.end() ? std::string() : it->second.text;
}

void Config::check_range(const std::string& key, const YAML::Node& value,
                         const Origin& origin) const {
  auto it = ranges_.find(key);
  if (it == ranges_.end()) return;
  const Range& r = it->second;
  auto check_one = [&](const YAML::Node& item) {
    double v = 0;
    if (!item.IsScalar() || !YAML::convert<double>::decode(item, v)) {
      fail_at(origin, "config key '" + key + "' expects numbers in " + r.text + ", got '" +
                          emit_scalar_or_list(item) + "'");
    }
    if (!r.contains(v)) {
      fail_at(origin, "config key '" + key + "' must be in " + r.text + ", got " +
                          (std::isnan(v) ? std::string("nan") : format_number(v)));
    }
  };
  if (value.IsSequence()) {
    for (const auto& item : value) check_one(item);
  } else {
    check_one(value);
  }
}

void Config::assign(const std::string& key, const YAML::Node& value, const Origin& origin) {
  auto fail = [&](const std::string& problem) { fail_at(origin, problem); };
  const auto dot = key.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == key.size()) {
    fail("malformed config key '" + key + "' (expected section.key)");
  }
  auto it = kinds_.find(key);
  if (it == kinds_.end()) {
    const auto section = key.substr(0, dot);
    const auto keys = valid_keys_in(section);
    if (keys.empty()) {
      fail("unknown config section '" + section + "'; valid sections: " + valid_sections());
    }
    fail("unknown config key '" + key + "'; valid keys in '" + section + "': " + keys);
  }
  const Kind kind = it->second;
  bool ok = false;
  const char* expected = "";
  switch (kind) {
    case Kind::kInt:
      ok = parses_as_int(value);
      expected = "an integer";
      break;
    case Kind::kFloat:
      ok = parses_as_double(value);
      expected = "a number";
      break;
    case Kind::kBool:
      ok = parses_as_bool(value);
      expected = "true or false";
      break;
    case Kind::kString:
      ok = value.IsScalar() || value.IsNull();
      expected = "a string";
      break;
    case Kind::kList:
      ok = value.IsSequence() || value.IsNull() || value.IsScalar();
      expected = "a list";
      break;
  }
  if (!ok) {
    fail("config key '" + key + "' expects " + expected + ", got '" + emit_scalar_or_list(value) +
         "'");
  }
  YAML::Node stored = YAML::Clone(value);
  if (kind == Kind::kList && !value.IsSequence()) {
    // A bare scalar for a list key means a one-element list; empty/null means the empty list.
    YAML::Node list(YAML::NodeType::Sequence);
    if (value.IsScalar() && !value.Scalar().empty()) {
      std::stringstream items(value.Scalar());
      std::string item;
      while (std::getline(items, item, ',')) {
        if (!item.empty()) list.push_back(item);
      }
    }
    stored = list;
  }
  if (kind == Kind::kString && value.IsNull()) stored = YAML::Node("");
  check_range(key, stored, origin);
  values_[key] = stored;
  origins_[key] = origin;
}

void Config::merge_file(const std::string& path) {
  if (!std::filesystem::exists(path)) throw InputError(path, 0, "no such config file");
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw InputError(path, e.mark.line + 1, "invalid YAML: " + e.msg);
  }
  if (root.IsNull()) return;  // an empty file changes nothing
  if (!root.IsMap())
    throw InputError(path, 1, "expected a map of sections (section: {key: value})");
  for (const auto& section : root) {
    const auto name = section.first.as<std::string>();
    const int64_t line = section.first.Mark().line + 1;
    if (!section.second.IsMap()) {
      if (valid_keys_in(name).empty()) {
        throw InputError(
            path, line,
            "unknown config section '" + name + "'; valid sections: " + valid_sections());
      }
      throw InputError(path, line, "section '" + name + "' must be a map of key: value");
    }
    for (const auto& entry : section.second) {
      assign(name + "." + entry.first.as<std::string>(), entry.second,
             Origin{path, entry.first.Mark().line + 1, ""});
    }
  }
}

void Config::apply_override(const std::string& assignment) { set_from(assignment, ""); }

void Config::set_from(const std::string& assignment, const std::string& origin) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw UsageError("malformed override '" + assignment + "' (expected section.key=value)");
  }
  const auto key = assignment.substr(0, eq);
  const auto text = assignment.substr(eq + 1);
  YAML::Node value;
  try {
    value = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw UsageError("malformed override '" + assignment + "': " + e.msg);
  }
  if (value.IsMap()) {
    throw UsageError("malformed override '" + assignment + "' (a value cannot be a map)");
  }
  assign(key, value, Origin{"", 0, origin.empty() ? "override '" + assignment + "'" : origin});
}

void Config::set(const std::string& key, const std::string& yaml_value, const std::string& origin) {
  set_from(key + "=" + yaml_value, origin);
}

const YAML::Node& Config::node(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw Error("internal: config key '" + key + "' not in schema");
  return it->second;
}

int64_t Config::get_int(const std::string& key) const { return node(key).as<int64_t>(); }
double Config::get_double(const std::string& key) const { return node(key).as<double>(); }
bool Config::get_bool(const std::string& key) const { return node(key).as<bool>(); }
std::string Config::get_string(const std::string& key) const {
  const auto& n = node(key);
  return n.IsNull() ? std::string() : n.as<std::string>();
}
std::string Config::get_choice(const std::string& key,
                               const std::vector<std::string>& choices) const {
  auto value = get_string(key);
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  fail(key, "config key '" + key + "' must be one of " + list + "; got '" + value + "'");
}

std::vector<std::string> Config::get_strings(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& item : node(key)) out.push_back(item.as<std::string>());
  return out;
}

std::string Config::to_yaml() const {
  YAML::Emitter out;
  out.SetSeqFormat(YAML::Flow);  // lists on one line; maps stay in block style
  out << YAML::BeginMap;
  std::string section;
  for (const auto& key : order_) {
    const auto dot = key.find('.');
    const auto s = key.substr(0, dot);
    if (s != section) {
      if (!section.empty()) out << YAML::EndMap;
      out << YAML::Key << s << YAML::Value << YAML::BeginMap;
      section = s;
    }
    out << YAML::Key << key.substr(dot + 1) << YAML::Value;
    const auto& v = values_.at(key);
    if (kinds_.at(key) == Kind::kString) {
      out << YAML::DoubleQuoted << v.as<std::string>();  // "yes" must stay a string
    } else {
      out << v;
    }
  }
  if (!section.empty()) out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

nlohmann::json Config::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& key : order_) {
    const auto dot = key.find('.');
    auto& section = j[key.substr(0, dot)];
    const auto name = key.substr(dot + 1);
    switch (kinds_.at(key)) {
      case Kind::kInt:
        section[name] = get_int(key);
        break;
      case Kind::kFloat:
        section[name] = get_double(key);
        break;
      case Kind::kBool:
        section[name] = get_bool(key);
        break;
      case Kind::kString:
        section[name] = get_string(key);
        break;
      case Kind::kList:
        section[name] = get_strings(key);
        break;
    }
  }
  return j;
}

}  // namespace helix
