// A city's own district and street outlines without a rebuild (serve --outlines FILE): the
// server checks the file when it starts and refuses, with the file and the place in it, one
// the console's maps could not draw; a good one is served for the places in effect, beside
// the shipped ones.
#include <doctest/doctest.h>
#include <httplib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/cli/cli_dir.h"
#include "tests/support/server_process.h"

namespace closeloop::testing {
namespace {

using nlohmann::json;

// A square around (lon, lat) for place `code`, closed as RFC 7946 requires.
json Square(const std::string& code, double lon, double lat) {
  const double d = 0.01;
  return {{"type", "Feature"},
          {"properties", {{"code", code}, {"level", "street"}}},
          {"geometry",
           {{"type", "Polygon"},
            {"coordinates",
             {{{lon - d, lat - d},
               {lon + d, lat - d},
               {lon + d, lat + d},
               {lon - d, lat + d},
               {lon - d, lat - d}}}}}}};
}

std::string Collection(const std::vector<json>& features) {
  return json{{"type", "FeatureCollection"}, {"features", features}}.dump(1);
}

TEST_CASE("serve --outlines refuses a file a map cannot draw, saying where, and starts on none") {
  CliDir cli("outlines");
  struct Case {
    std::string text, says;
  };
  json open_ring = Square("xuanwu.meiyuan", 118.8, 32.05);
  open_ring["geometry"]["coordinates"][0].erase(4);
  json short_ring = Square("xuanwu.meiyuan", 118.8, 32.05);
  short_ring["geometry"]["coordinates"][0] = {{118.8, 32.0}, {118.9, 32.0}, {118.8, 32.0}};
  json far = Square("xuanwu.meiyuan", 118.8, 32.05);
  far["geometry"]["coordinates"][0][2][1] = 123.0;
  json nameless = Square("", 118.8, 32.05);
  json point = Square("xuanwu.meiyuan", 118.8, 32.05);
  point["geometry"] = {{"type", "Point"}, {"coordinates", {118.8, 32.05}}};
  for (const Case& c : std::vector<Case>{
           {"{\"type\": \"FeatureCollection\",\n \"features\": [,]}", "line 2, column 15: "},
           {R"({"type": "Feature"})", "type: must be \"FeatureCollection\""},
           {Collection({Square("xuanwu.meiyuan", 118.8, 32.05), open_ring}),
            "features[1].properties.code: xuanwu.meiyuan twice"},
           {Collection({open_ring}),
            "features[0].geometry.coordinates[0]: a ring must end where it starts"},
           {Collection({short_ring}),
            "features[0].geometry.coordinates[0]: a ring needs at least 4 positions"},
           {Collection({far}),
            "features[0].geometry.coordinates[0][2]: latitude 123.0 is out of range"},
           {Collection({nameless}), "features[0].properties.code: must be the place's code"},
           {Collection({point}),
            "features[0].geometry.type: must be \"Polygon\" or \"MultiPolygon\""},
       }) {
    const std::string file = cli.Write("bad.geojson", c.text);
    ChildRun r =
        cli.Run({"serve", "--outlines", file, "--data", cli.data, "--http", "127.0.0.1:0"});
    CHECK(r.exit_code == 2);
    const std::string err = cli.Stderr();
    CHECK_MESSAGE(err.find("--outlines: " + file + ": " + c.says) != std::string::npos, err);
    CHECK_FALSE(std::filesystem::exists(cli.data));  // refused before anything was opened
  }
}

TEST_CASE(
    "serve --outlines: the city's own outline is served for its place, beside the shipped ones") {
  CliDir cli("outlines-ok");
  const std::string file =
      cli.Write("meiyuan.geojson", Collection({Square("xuanwu.meiyuan", 118.80, 32.05)}));
  ServerProcess server;
  // The demo seeds the shipped city (its places are Nanjing's).
  REQUIRE(server
              .Start(CLOSELOOP_BIN,
                     {"serve", "--demo", "--outlines", file, "--data", cli.data, "--http",
                      "127.0.0.1:0", "--no-sync"},
                     (cli.root / "serve.log").string(), std::chrono::seconds(120))
              .ok());
  // (The credentials file can be there a moment before its users are: asked until it is.)
  std::string auditor;
  for (int i = 0; i < 100 && auditor.empty(); ++i) {
    auto listed = server.WaitForGet("/v1/demo/credentials", std::chrono::seconds(30));
    REQUIRE(listed.ok());
    const json users = json::parse(*listed)["users"];
    for (const auto& u : users) {
      if (u["role"] == "auditor") auditor = u["token"];
    }
    if (auditor.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  REQUIRE(!auditor.empty());
  httplib::Client http("127.0.0.1", server.port());
  auto r = http.Get("/v1/places/outlines", {{"Authorization", "Bearer " + auditor}});
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json served = json::parse(r->body);
  size_t ours = 0, shipped = 0;
  for (const auto& f : served["features"]) {
    if (f["properties"]["code"] != "xuanwu.meiyuan") {
      ++shipped;
      continue;
    }
    ++ours;
    CHECK(f["geometry"]["coordinates"][0][0][0].get<double>() == doctest::Approx(118.79));
  }
  CHECK(ours == 1);     // the file's feature replaced the shipped one of the same code
  CHECK(shipped > 50);  // and the rest of the shipped city's outlines are still there
  CHECK(server.Stop() == 0);
}

}  // namespace
}  // namespace closeloop::testing
