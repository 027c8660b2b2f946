#include "helix/util/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "helix/util/error.hpp"

namespace helix {
namespace {

const char* kSchema = R"(
model:
  name: swan
  width: 8
  dropout: 0.0
data:
  genome: ""
  chromosomes: []
  shuffle: true
)";

std::string write_temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("helix_config_test_" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(Config, DefaultsAndTypes) {
  Config c(kSchema);
  EXPECT_EQ(c.get_string("model.name"), "swan");
  EXPECT_EQ(c.get_int("model.width"), 8);
  EXPECT_DOUBLE_EQ(c.get_double("model.dropout"), 0.0);
  EXPECT_TRUE(c.get_bool("data.shuffle"));
  EXPECT_TRUE(c.get_strings("data.chromosomes").empty());
  EXPECT_EQ(c.get_string("data.genome"), "");
  EXPECT_EQ(c.keys().size(), 6u);
}

TEST(Config, OverridesParseAsTheDefaultsType) {
  Config c(kSchema);
  c.apply_override("model.width=16");
  c.apply_override("model.dropout=1");  // an integer is a valid number
  c.apply_override("data.chromosomes=[chr1, chr2]");
  c.apply_override("data.genome=/x/y.fa");
  EXPECT_EQ(c.get_int("model.width"), 16);
  EXPECT_DOUBLE_EQ(c.get_double("model.dropout"), 1.0);
  EXPECT_EQ(c.get_strings("data.chromosomes"), (std::vector<std::string>{"chr1", "chr2"}));
  c.apply_override("data.chromosomes=chrX");
  EXPECT_EQ(c.get_strings("data.chromosomes"), (std::vector<std::string>{"chrX"}));
  EXPECT_EQ(c.get_string("data.genome"), "/x/y.fa");
}

TEST(Config, UnknownKeyListsValidKeys) {
  Config c(kSchema);
  try {
    c.apply_override("model.widht=3");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("model.widht"), std::string::npos) << msg;
    EXPECT_NE(msg.find("name, width, dropout"), std::string::npos) << msg;
  }
  try {
    c.apply_override("modle.width=3");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("valid sections: model, data"), std::string::npos)
        << e.what();
  }
}

TEST(Config, MalformedOverridesAndWrongTypes) {
  Config c(kSchema);
  EXPECT_THROW(c.apply_override("model.width"), UsageError);
  EXPECT_THROW(c.apply_override("=3"), UsageError);
  EXPECT_THROW(c.apply_override("width=3"), UsageError);
  EXPECT_THROW(c.apply_override("model.width=abc"), UsageError);
  EXPECT_THROW(c.apply_override("model.width=1.5"), UsageError);
  EXPECT_THROW(c.apply_override("data.shuffle=maybe"), UsageError);
  EXPECT_EQ(c.get_int("model.width"), 8);  // failed overrides change nothing
}

TEST(Config, FileErrorsNameFileAndLine) {
  Config c(kSchema);
  const auto path = write_temp("bad.yaml", "model:\n  width: 4\n  depth: 3\n");
  try {
    c.merge_file(path);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(std::string(e.what()).find("valid keys in 'model': name, width, dropout"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(c.merge_file(write_temp("bad2.yaml", "model: [1, 2\n")), InputError);
  EXPECT_THROW(c.merge_file("/nonexistent/helix.yaml"), InputError);
}

TEST(Config, ResolvedYamlRoundTrips) {
  Config c(kSchema);
  c.apply_override("model.width=32");
  c.apply_override("data.chromosomes=[a,b]");
  c.apply_override("data.genome=yes");  // a string that YAML would read as a bool
  const auto path = write_temp("roundtrip.yaml", c.to_yaml());
  Config d(kSchema);
  d.merge_file(path);
  EXPECT_EQ(d.to_yaml(), c.to_yaml());
  EXPECT_EQ(d.get_string("data.genome"), "yes");
  EXPECT_EQ(d.to_json()["model"]["width"], 32);
}

}  // namespace
}  // namespace helix

namespace helix {
namespace {

TEST(Config, ChoicesListTheAllowedValues) {
  Config c(kSchema);
  EXPECT_EQ(c.get_choice("model.name", {"swan", "dilated_resnet"}), "swan");
  c.apply_override("model.name=transformer");
  try {
    c.get_choice("model.name", {"swan", "dilated_resnet"});
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("must be one of swan, dilated_resnet; got 'transformer'"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace helix
