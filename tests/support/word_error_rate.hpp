#pragma once
// Word error rate, the usual measure of a speech recognizer: the fewest word substitutions, deletions and
// insertions that turn the hypothesis into the reference, over the reference's number of words. Both texts
// are normalised first (lower case, punctuation dropped but for apostrophes inside words), so "Well, he
// didn't." and "well he didn't" agree.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace test_support {

inline std::vector<std::string> normalised_words(std::string_view text) {
  std::string kept;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool inside_word = i > 0 && i + 1 < text.size() && std::isalnum(static_cast<unsigned char>(text[i - 1])) &&
                             std::isalnum(static_cast<unsigned char>(text[i + 1]));
    if (std::isalnum(c) || (c == '\'' && inside_word)) {
      kept += static_cast<char>(std::tolower(c));
    } else {
      kept += ' ';
    }
  }
  std::istringstream split(kept);
  std::vector<std::string> words;
  for (std::string word; split >> word;) {
    words.push_back(word);
  }
  return words;
}

// Levenshtein distance over words, one row at a time.
inline std::size_t word_edits(const std::vector<std::string>& reference, const std::vector<std::string>& hypothesis) {
  std::vector<std::size_t> previous(hypothesis.size() + 1);
  for (std::size_t j = 0; j <= hypothesis.size(); ++j) {
    previous[j] = j;  // j insertions
  }
  for (std::size_t i = 1; i <= reference.size(); ++i) {
    std::vector<std::size_t> row(hypothesis.size() + 1);
    row[0] = i;  // i deletions
    for (std::size_t j = 1; j <= hypothesis.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1);
      row[j] = std::min({substitution, previous[j] + 1, row[j - 1] + 1});
    }
    previous = std::move(row);
  }
  return previous.back();
}

// The errors over the reference's words; a reference of no words gives the number of inserted words (so
// silence heard as speech is never a perfect score).
inline double word_error_rate(std::string_view reference, std::string_view hypothesis) {
  const auto reference_words = normalised_words(reference);
  const auto edits = word_edits(reference_words, normalised_words(hypothesis));
  return static_cast<double>(edits) / static_cast<double>(std::max<std::size_t>(reference_words.size(), 1));
}

}  // namespace test_support
