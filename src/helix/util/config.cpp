#include "helix/util/config.hpp"

#include <algorithm>
#include <filesystem>
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

}  // namespace

Config::Config(const std::string& defaults_yaml) {
  YAML::Node root = YAML::Load(defaults_yaml);
  if (!root.IsMap()) throw Error("config schema must be a map of sections");
  for (const auto& section : root) {
    const auto section_name = section.first.as<std::string>();
    if (!section.second.IsMap())
      throw Error("config schema section " + section_name + " is not a map");
    for (const auto& entry : section.second) {
      const auto key = section_name + "." + entry.first.as<std::string>();
      const YAML::Node& v = entry.second;
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
      order_.push_back(key);
      kinds_[key] = kind;
      values_[key] = YAML::Clone(v);
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

void Config::assign(const std::string& key, const YAML::Node& value, const std::string& origin,
                    int64_t line, bool usage) {
  auto fail = [&](const std::string& problem) {
    if (usage) throw UsageError(problem);
    throw InputError(origin, line, problem);
  };
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
  values_[key] = stored;
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
      assign(name + "." + entry.first.as<std::string>(), entry.second, path,
             entry.first.Mark().line + 1, false);
    }
  }
}

void Config::apply_override(const std::string& assignment) {
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
  assign(key, value, "", 0, true);
}

void Config::set(const std::string& key, const std::string& yaml_value) {
  apply_override(key + "=" + yaml_value);
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
  throw UsageError("config key '" + key + "' must be one of " + list + "; got '" + value + "'");
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
