#include "helix/util/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../input_error.hpp"
#include "helix/util/error.hpp"

namespace helix {
namespace {

const char* kSchema = R"(
model:
  name: swan
  width: {default: 8, range: "[1, 64]"}
  dropout: {default: 0.0, range: "[0, 1]"}
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

TEST(Config, EveryNumericKeyNeedsARangeAndRangesAreParsed) {
  EXPECT_THROW(Config("a:\n  x: 1\n"), Error);  // numeric, no range
  EXPECT_THROW(Config("a:\n  x: {default: 1, range: \"1, 2\"}\n"), Error);
  EXPECT_THROW(Config("a:\n  x: {default: 1, range: \"[2, 1]\"}\n"), Error);
  EXPECT_THROW(Config("a:\n  x: {default: 5, range: \"[0, 1]\"}\n"), Error);  // default outside
  EXPECT_THROW(Config("a:\n  s: {default: text, range: \"[0, 1]\"}\n"), Error);
  Config c(
      "a:\n  t: {default: 0.5, range: \"(0, inf)\"}\n  l: {default: [1, 2], range: \"[1, 9]\"}\n");
  EXPECT_EQ(c.range("a.t"), "(0, inf)");
  EXPECT_EQ(c.origin("a.t"), "default");
  c.apply_override("a.t=1e300");
  EXPECT_THROW(c.apply_override("a.t=0"), UsageError);  // open bound
  EXPECT_THROW(c.apply_override("a.t=.inf"), UsageError);
  EXPECT_THROW(c.apply_override("a.t=.nan"), UsageError);
  EXPECT_THROW(c.apply_override("a.t=-1"), UsageError);
  EXPECT_THROW(c.apply_override("a.l=[1, 10]"), UsageError);  // list items are checked
  c.apply_override("a.l=[3, 9]");
  EXPECT_EQ(c.get_strings("a.l"), (std::vector<std::string>{"3", "9"}));
}

TEST(Config, OutOfRangeValuesNameTheOverrideOrFileLineAndTheRange) {
  Config c(kSchema);
  try {
    c.apply_override("model.dropout=1.5");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("override 'model.dropout=1.5'"), std::string::npos) << what;
    EXPECT_NE(what.find("[0, 1]"), std::string::npos) << what;
  }
  EXPECT_DOUBLE_EQ(c.get_double("model.dropout"), 0.0) << "a refused value changes nothing";
  const auto path = write_temp("range.yaml", "model:\n  name: swan\n  width: 0\n");
  const auto e = test::input_error_of([&] { c.merge_file(path); });
  EXPECT_EQ(e.file(), path);
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(std::string(e.what()).find("[1, 64]"), std::string::npos) << e.what();
  // A value from a file is traced to its line; fail() raises the error there.
  const auto good = write_temp("range_ok.yaml", "model:\n\n  width: 9\n");
  c.merge_file(good);
  EXPECT_EQ(c.origin("model.width"), good + ":3");
  const auto cross = test::input_error_of([&] { c.fail("model.width", "too wide for x"); });
  EXPECT_EQ(cross.line(), 3);
  c.set("model.width", "4", "--width 4");
  try {
    c.fail("model.width", "bad");
    FAIL();
  } catch (const UsageError& u) {
    EXPECT_EQ(std::string(u.what()), "--width 4: bad");
  }
  std::filesystem::remove(path);
  std::filesystem::remove(good);
}

TEST(Config, ChoiceErrorsInAFileNameTheLine) {
  Config c("a:\n  mode: fast\n");
  const auto path = write_temp("choice.yaml", "a:\n  mode: slow\n");
  c.merge_file(path);
  const auto e = test::input_error_of([&] { c.get_choice("a.mode", {"fast", "faster"}); });
  EXPECT_EQ(e.line(), 2);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace helix
