// The id → index lookup against std::unordered_map as the reference: ids of every length
// around the table's inline limit, ids that differ in a single byte, embedded zero bytes,
// repeated ids and ids that are absent. `find` and `find_many` must agree with the
// reference on every query, and `find_many` on every batch size.

#include "servicechain/graph/service_graph.hpp"

#include <gtest/gtest.h>

#include <map>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detail/id_image.hpp"

namespace sc = servicechain;

namespace {

// Ids of lengths 0–24 built from a small alphabet (so that many share prefixes and
// suffixes), each with variants that change one byte at every position.
std::vector<std::string> tricky_ids() {
  std::vector<std::string> ids;
  std::mt19937 random(7);
  const std::string alphabet = std::string("ab\0z", 4);
  for (std::size_t length = 0; length <= 24; ++length) {
    for (int sample = 0; sample < 6; ++sample) {
      std::string id;
      for (std::size_t k = 0; k < length; ++k) id.push_back(alphabet[random() % alphabet.size()]);
      ids.push_back(id);
      for (std::size_t k = 0; k < length; ++k) {
        std::string variant = id;
        variant[k] = variant[k] == 'z' ? 'y' : 'z';
        ids.push_back(variant);
      }
    }
  }
  return ids;
}

// Index of the first occurrence of each id: what the directory must return.
std::unordered_map<std::string, std::uint32_t> first_index(const std::vector<std::string>& ids) {
  std::unordered_map<std::string, std::uint32_t> first;
  for (std::uint32_t i = 0; i < ids.size(); ++i) first.emplace(ids[i], i);
  return first;
}

// Every query through `find` and, in batches of `batch`, through `find_many`, against the map.
void expect_lookups_match(const sc::unit_directory& directory,
                          const std::unordered_map<std::string, std::uint32_t>& expected,
                          const std::vector<std::string>& queries, std::size_t batch) {
  std::vector<std::string_view> views(queries.begin(), queries.end());
  std::vector<std::optional<sc::unit_index>> found(views.size());
  for (std::size_t begin = 0; begin < views.size(); begin += batch) {
    const std::size_t count = std::min(batch, views.size() - begin);
    directory.find_many(std::span(views).subspan(begin, count), std::span(found).subspan(begin, count));
  }
  for (std::size_t k = 0; k < queries.size(); ++k) {
    const auto it = expected.find(queries[k]);
    const std::optional<std::uint32_t> want =
        it == expected.end() ? std::nullopt : std::optional<std::uint32_t>(it->second);
    const auto one = directory.find(queries[k]);
    const auto many = found[k];
    ASSERT_EQ(one.has_value(), want.has_value()) << "find, query #" << k << " of length " << queries[k].size();
    ASSERT_EQ(many.has_value(), want.has_value())
        << "find_many (batch " << batch << "), query #" << k << " of length " << queries[k].size();
    if (want) {
      EXPECT_EQ(one->value(), *want) << "find, query #" << k;
      EXPECT_EQ(many->value(), *want) << "find_many (batch " << batch << "), query #" << k;
    }
  }
}

}  // namespace

// The table resolves a short id from its image alone, so distinct short ids must have
// distinct images: every string of length 0–6 over {a, b, NUL} (1 093 of them), and for
// lengths 7–11 every one-byte change of random strings. With the hash fixed, only the
// bytes can tell them apart.
TEST(UnitDirectoryTest, ShortIdsHaveDistinctImages) {
  const std::string alphabet = std::string("ab\0", 3);
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::string> seen;
  auto expect_new = [&](const std::string& id) {
    const auto image = sc::detail::image_of(id, 12345);
    const auto [it, inserted] = seen.emplace(std::pair(image.head, image.body), id);
    EXPECT_TRUE(inserted || it->second == id) << "ids of length " << id.size() << " share an image";
  };
  std::vector<std::string> level{""};
  for (std::size_t length = 0; length <= 6; ++length) {
    std::vector<std::string> next;
    for (const std::string& id : level) {
      expect_new(id);
      for (char c : alphabet) next.push_back(id + c);
    }
    level = std::move(next);
  }
  std::mt19937 random(5);
  for (std::size_t length = 7; length <= sc::detail::max_inline_id; ++length) {
    for (int sample = 0; sample < 50; ++sample) {
      std::string id;
      for (std::size_t k = 0; k < length; ++k) id.push_back(static_cast<char>(random() % 256));
      expect_new(id);
      for (std::size_t k = 0; k < length; ++k) {
        std::string variant = id;
        variant[k] = static_cast<char>(variant[k] + 1);
        expect_new(variant);
      }
    }
  }
}

TEST(UnitDirectoryTest, AgreesWithAMapOnIdsOfEveryLength) {
  std::vector<std::string> ids = tricky_ids();
  // Repeats: the first unit with an id is the one found.
  for (std::size_t k = 0; k < ids.size(); k += 17) ids.push_back(ids[k]);
  const sc::unit_directory directory(ids);
  const auto expected = first_index(ids);
  ASSERT_LT(expected.size(), ids.size());  // the repeats are there

  std::vector<std::string> queries = ids;
  for (const std::string& id : ids) {  // absent neighbours: one byte more, one byte less, the last byte changed
    queries.push_back(id + "a");
    if (!id.empty()) queries.push_back(id.substr(0, id.size() - 1));
    if (!id.empty()) queries.push_back(id.substr(0, id.size() - 1) + "q");
  }
  std::shuffle(queries.begin(), queries.end(), std::mt19937(11));
  for (std::size_t batch : {1, 2, 15, 16, 17, 33, 64, 100, 4096})
    expect_lookups_match(directory, expected, queries, batch);
}

TEST(UnitDirectoryTest, AgreesWithAMapOnManyGeneratedIds) {
  // Ids as the benchmark generator writes them (short) and with a long common prefix.
  for (const std::string prefix : {"u", "organization-unit-number-"}) {
    std::vector<std::string> ids;
    for (int i = 0; i < 200000; ++i) ids.push_back(prefix + std::to_string(i));
    const sc::unit_directory directory(ids);
    const auto expected = first_index(ids);
    std::vector<std::string> queries;
    std::mt19937 random(3);
    for (int k = 0; k < 100000; ++k) queries.push_back(prefix + std::to_string(random() % 300000));
    expect_lookups_match(directory, expected, queries, 4096);
  }
}

TEST(UnitDirectoryTest, EmptyDirectoryFindsNothing) {
  const sc::unit_directory directory(std::vector<std::string>{});
  EXPECT_FALSE(directory.find("").has_value());
  EXPECT_FALSE(directory.find("u1").has_value());
  std::vector<std::string_view> queries{"", "a", "abcdefghijklmnop"};
  std::vector<std::optional<sc::unit_index>> found(queries.size(), sc::unit_index{0});
  directory.find_many(queries, found);
  for (const auto& f : found) EXPECT_FALSE(f.has_value());
}
