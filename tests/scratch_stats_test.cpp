// The report's words for the source-statistics mode (check --source-stats):
// what users read to know how close the scratch plans are.
#include "db/scratch_stats.h"

#include <gtest/gtest.h>

namespace pgsift::db {
namespace {

TEST(ScratchStatsTest, DescribesEveryTableGrownAndEveryColumnCopied) {
  SourceStatsStats st;
  st.tables = 3;
  st.heaps_full = 3;
  st.grown_mb = 8;
  st.columns = 12;
  EXPECT_EQ(DescribeSourceStats(st, 3),
            "then the source's statistics (--source-stats): row counts of 3 tables from pg_class, heap files grown "
            "to the source's size with rolled-back rows (3 of 3 at the source's size, 8 MB); column statistics of 12 "
            "columns from the source's pg_stats (extended and expression-index statistics not copied); written into "
            "pg_class and pg_statistic (before PostgreSQL 18, as a superuser)");
}

// Which path wrote them: PostgreSQL 18's restore functions need no superuser.
TEST(ScratchStatsTest, SaysTheRestoreFunctionsWroteThemOn18) {
  SourceStatsStats st;
  st.tables = 2;
  st.heaps_full = 2;
  st.columns = 10;
  st.restore_functions = true;
  std::string s = DescribeSourceStats(st, 2);
  EXPECT_NE(s.find("; written with pg_restore_relation_stats() and pg_restore_attribute_stats() (PostgreSQL 18+, as "
                   "the tables' owner)"),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find("pg_statistic"), std::string::npos) << s;
}

TEST(ScratchStatsTest, SaysWhatFellShort) {
  SourceStatsStats st;
  st.tables = 1;
  st.heaps_full = 0;
  st.heaps_capped = 1;
  st.heaps_short = 1;
  st.one_row_tables = 1;
  st.empty_samples = 2;
  st.columns = 1;
  st.columns_failed = 1;
  st.columns_differ = 2;
  st.element_stats_skipped = 1;
  std::string s = DescribeSourceStats(st, 2);
  EXPECT_NE(s.find("row counts of 1 table from pg_class"), std::string::npos) << s;
  EXPECT_NE(s.find("(0 of 2 at the source's size, 1 stopped by --grow-cap-mb, 1 short of it"), std::string::npos) << s;
  EXPECT_NE(s.find("1 table the sample missed given one row, 2 tables with no sampled row left as ANALYZEd"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("column statistics of 1 column from the source's pg_stats, 1 column not taken by the scratch "
                   "server, 2 columns differing after the copy, 1 column's array element statistics the sample's"),
            std::string::npos)
      << s;
}

}  // namespace
}  // namespace pgsift::db
