// dist::save_svg: the picture's cells carry the owner every rank computes
// for that element, the legend names every rank, small arrays show their
// values, heat maps span the value range; bad paths fail on every rank.
#include <gtest/gtest.h>

#include <dist/dist.hpp>
#include <dist/io/svg.hpp>
#include <fstream>
#include <array>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

using dist::index_t;

namespace {
dist::communicator world;

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
/// The fill colours of the cell rectangles (not the legend's), in order.
std::vector<std::string> cell_fills(const std::string& svg) {
  std::vector<std::string> out;
  const std::regex cell("<rect x=\"[0-9]+\" y=\"[0-9]+\" width=\"[0-9]+\" height=\"[0-9]+\" fill=\"([^\"]+)\" stroke");
  for (std::sregex_iterator it(svg.begin(), svg.end(), cell), end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}
}  // namespace

TEST(svg, owners_of_every_kind_2d) {
  const index_t r = 7, c = 11;
  auto layouts = std::vector<std::array<dist::dim_spec, 2>>{{dist::cyclic{}, dist::block{}}, {dist::block_cyclic{2}, dist::cyclic{}}};
  for (const auto& spec : test_util::all_kinds(c, world, 3)) layouts.push_back({dist::undistributed{}, spec});
  for (std::size_t k = 0; k < layouts.size(); ++k) {
    SCOPED_TRACE("layout " + std::to_string(k));
    const dist::distribution<2> d({r, c}, layouts[k], world);
    const std::string path = test_util::scratch("svg", "owners" + std::to_string(k), ".svg");
    dist::save_svg(d, path);
    // every rank checks the cells against owners it finds itself (the directory for unstructured)
    std::vector<index_t> rows(static_cast<std::size_t>(r)), cols(static_cast<std::size_t>(c));
    for (index_t i = 0; i < r; ++i) rows[static_cast<std::size_t>(i)] = i;
    for (index_t j = 0; j < c; ++j) cols[static_cast<std::size_t>(j)] = j;
    const auto lr = d.lookup(0, rows), lc = d.lookup(1, cols);
    world.barrier();
    const auto fills = cell_fills(slurp(path));
    ASSERT_EQ(fills.size(), static_cast<std::size_t>(r * c));
    for (index_t i = 0; i < r; ++i)
      for (index_t j = 0; j < c; ++j) {
        const bool rep = d.replicated() && world.size() > 1;
        const int owner = rep ? -1 : d.grid_rank({lr[static_cast<std::size_t>(i)].coord, lc[static_cast<std::size_t>(j)].coord});
        EXPECT_EQ(fills[static_cast<std::size_t>(i * c + j)], dist::detail::rank_colour(owner)) << i << "," << j;
      }
    const std::string svg = slurp(path);
    if (!(d.replicated() && world.size() > 1)) {
      for (int p = 0; p < world.size(); ++p) {
        EXPECT_NE(svg.find("rank " + std::to_string(p)), std::string::npos);
      }
    }
    EXPECT_NE(svg.find(d.describe()), std::string::npos);
  }
}

TEST(svg, large_layouts_as_blocks_and_1d) {
  const dist::distribution<1> d1({1000}, {dist::block_cyclic{7}}, world);
  const std::string p1 = test_util::scratch("svg", "one_d", ".svg");
  dist::save_svg(d1, p1);
  const auto f1 = cell_fills(slurp(p1));
  ASSERT_EQ(f1.size(), 64u);  // 64 cells standing for blocks of 15-16 elements
  for (index_t j = 0; j < 64; ++j) EXPECT_EQ(f1[static_cast<std::size_t>(j)], dist::detail::rank_colour(d1.owner({j * 1000 / 64})));
  const dist::distribution<2> d2({300, 5}, {dist::block{}, dist::undistributed{}}, world);
  const std::string p2 = test_util::scratch("svg", "tall", ".svg");
  dist::save_svg(d2, p2);
  EXPECT_EQ(cell_fills(slurp(p2)).size(), 64u * 5u);
}

TEST(svg, values_and_heat_map) {
  const dist::distribution<2> d({3, 4}, {dist::block{}, dist::cyclic{}}, world);
  auto a = dist::fromfunction<int>(d, [](index_t i, index_t j) { return int(10 * i + j); });
  const std::string p = test_util::scratch("svg", "values", ".svg");
  dist::save_svg(a, p);
  const std::string svg = slurp(p);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      std::ostringstream cell;
      cell << '>' << 10 * i + j << "</text>";
      EXPECT_NE(svg.find(cell.str()), std::string::npos);
    }
  // heat map of a ramp along columns: the first column is the minimum colour, the last the maximum
  const dist::distribution<2> h({40, 90}, {dist::cyclic{}, dist::block{}}, world);
  auto ramp = dist::fromfunction<double>(h, [](index_t, index_t j) { return double(j); });
  const std::string ph = test_util::scratch("svg", "heat", ".svg");
  dist::save_svg(ramp, ph, dist::svg_colors::values);
  const auto f = cell_fills(slurp(ph));
  ASSERT_EQ(f.size(), 40u * 64u);
  EXPECT_EQ(f[0], dist::detail::heat_colour(0));
  EXPECT_EQ(f[63], dist::detail::heat_colour(1));
  EXPECT_NE(slurp(ph).find("max 89"), std::string::npos);
}

TEST(svg, errors_on_every_rank) {
  const dist::distribution<2> d({4, 4}, world);
  EXPECT_THROW(dist::save_svg(d, "/nonexistent-dir/x.svg"), dist::io_error);
  EXPECT_THROW(dist::save_svg(d, ""), dist::io_error);
  if (world.size() > 1) {
    EXPECT_THROW(dist::save_svg(d, world.rank() == 0 ? "a.svg" : "b.svg"), dist::mpi_error);
  }
}
