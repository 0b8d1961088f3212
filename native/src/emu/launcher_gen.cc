// The launcher generator (see launcher_gen.h). It scans the preprocessed text
// (comments are gone; `# N "file"` line markers stay, so clang reports errors
// at the .metal line), never rewrites across a line break, and reports what
// it cannot translate with the MSL line.
#include "launcher_gen.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <sstream>

namespace mlxts::emu {
namespace {

bool identChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

/** Whether `word` occurs at `i` as a whole identifier. */
bool wordAt(const std::string& s, size_t i, const std::string& word) {
  if (s.compare(i, word.size(), word) != 0) return false;
  if (i > 0 && identChar(s[i - 1])) return false;
  size_t e = i + word.size();
  return e >= s.size() || !identChar(s[e]);
}

/** Whether `i` starts a `# N "file"` line marker (or any preprocessor line). */
bool markerLineAt(const std::string& s, size_t lineStart) {
  size_t i = lineStart;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
  return i < s.size() && s[i] == '#';
}

/** "file:line" of position `pos`, from the line markers before it. */
std::string whereIs(const std::string& s, size_t pos) {
  std::string file = "<msl>";
  long line = 1;
  size_t i = 0;
  while (i < pos && i < s.size()) {
    size_t eol = s.find('\n', i);
    if (eol == std::string::npos) eol = s.size();
    if (markerLineAt(s, i)) {
      std::istringstream in(s.substr(i, eol - i));
      char hash;
      long n;
      std::string name;
      if (in >> hash >> n) {
        line = n;
        if (in >> name && name.size() >= 2 && name.front() == '"') file = name.substr(1, name.size() - 2);
        i = eol + 1;
        continue;
      }
    }
    if (eol < pos) line++;
    i = eol + 1;
  }
  return file + ":" + std::to_string(line);
}

/** The significant character before `i`, skipping whitespace and preprocessor lines (0 at the start). */
char prevSignificant(const std::string& s, size_t i) {
  while (i > 0) {
    char c = s[i - 1];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { i--; continue; }
    size_t lineStart = s.rfind('\n', i - 1);
    lineStart = lineStart == std::string::npos ? 0 : lineStart + 1;
    if (markerLineAt(s, lineStart)) { i = lineStart; continue; }
    return c;
  }
  return 0;
}

/** Index of the bracket closing the one at `open` (same kind), or npos. */
size_t matching(const std::string& s, size_t open) {
  char o = s[open], c = o == '(' ? ')' : o == '{' ? '}' : ']';
  int depth = 0;
  for (size_t i = open; i < s.size(); i++) {
    if (s[i] == '"' || s[i] == '\'') {
      char q = s[i];
      for (i++; i < s.size() && s[i] != q; i++) if (s[i] == '\\') i++;
      continue;
    }
    if (s[i] == o) depth++;
    else if (s[i] == c && --depth == 0) return i;
  }
  return std::string::npos;
}

/** Splits at commas outside (), <>, [] and {}. */
std::vector<std::string> splitTopLevel(const std::string& s) {
  std::vector<std::string> parts;
  int depth = 0;
  std::string cur;
  for (char c : s) {
    if (c == '(' || c == '<' || c == '[' || c == '{') depth++;
    if (c == ')' || c == '>' || c == ']' || c == '}') depth--;
    if (c == ',' && depth == 0) { parts.push_back(cur); cur.clear(); continue; }
    cur += c;
  }
  if (!trim(cur).empty()) parts.push_back(cur);
  return parts;
}

const std::map<std::string, std::string> kVectorIds = {
    {"thread_position_in_grid", "thread_position_in_grid"},
    {"thread_position_in_threadgroup", "thread_position_in_threadgroup"},
    {"threadgroup_position_in_grid", "threadgroup_position_in_grid"},
    {"threads_per_threadgroup", "threads_per_threadgroup"},
    {"threads_per_grid", "threads_per_grid"},
    {"threadgroups_per_grid", "threadgroups_per_grid"},
};
const std::map<std::string, std::string> kScalarIds = {
    {"thread_index_in_threadgroup", "__l->thread_index_in_threadgroup"},
    {"thread_index_in_simdgroup", "__l->thread_index_in_simdgroup"},
    {"simdgroup_index_in_threadgroup", "__l->simdgroup_index_in_threadgroup"},
    {"simdgroups_per_threadgroup", "__l->simdgroups_per_threadgroup"},
    {"threads_per_simdgroup", "32u"},
    {"thread_execution_width", "32u"},
    {"thread_index_in_quadgroup", "__l->thread_index_in_threadgroup % 4u"},
    {"quadgroup_index_in_threadgroup", "__l->thread_index_in_threadgroup / 4u"},
    {"quadgroups_per_threadgroup", "(__l->threads_per_threadgroup[0] * __l->threads_per_threadgroup[1] * __l->threads_per_threadgroup[2] + 3u) / 4u"},
};

/** Parses one kernel parameter `TYPE NAME [[attr]]`; returns an error message or "". */
std::string parseParam(const std::string& text, KernelParam& p) {
  size_t a = text.find("[["), b = text.find("]]");
  if (a == std::string::npos || b == std::string::npos) return "parameter '" + trim(text) + "' has no [[buffer(n)]] or builtin attribute";
  std::string decl = trim(text.substr(0, a)), attr = trim(text.substr(a + 2, b - a - 2));
  size_t n = decl.size();
  while (n > 0 && identChar(decl[n - 1])) n--;
  p.name = decl.substr(n);
  p.type = trim(decl.substr(0, n));
  if (p.name.empty() || p.type.empty()) return "cannot read the type and name of parameter '" + trim(text) + "'";
  if (attr.rfind("buffer(", 0) == 0) {
    p.attribute = "buffer";
    p.bufferIndex = std::atoi(attr.c_str() + 7);
    // Metal's argument table: 31 buffer slots (the launcher indexes the bound buffers by it)
    if (p.bufferIndex < 0 || p.bufferIndex > 30) return "[[" + attr + "]] of parameter '" + p.name + "' is outside Metal's buffer indices 0 to 30";
    return "";
  }
  if (!kVectorIds.count(attr) && !kScalarIds.count(attr)) return "attribute [[" + attr + "]] of parameter '" + p.name + "' is not supported by the emulator";
  p.attribute = attr;
  return "";
}

std::string argument(const KernelParam& p, bool checked) {
  if (p.attribute == "buffer") {
    const std::string& t = p.type;
    if (checked) {
      std::string at = "(__b, __l, " + std::to_string(p.bufferIndex) + ")";
      if (t.back() == '*') return "::__emu::buffer_arg" + at;
      if (t.back() == '&') return "::__emu::buffer_ref<std::remove_reference_t<" + t + ">>" + at;
      return "::__emu::buffer_ref<" + t + ">" + at;
    }
    std::string slot = "__b[" + std::to_string(p.bufferIndex) + "]";
    if (t.back() == '*') return "(" + t + ")" + slot;
    if (t.back() == '&') return "*(std::remove_reference_t<" + t + ">*)" + slot;
    return "*(" + t + "*)" + slot;
  }
  auto v = kVectorIds.find(p.attribute);
  if (v != kVectorIds.end()) return "::__emu::id<" + p.type + ">(__l->" + v->second + ")";
  return "(" + p.type + ")(" + kScalarIds.at(p.attribute) + ")";
}

/**
 * The scanner of the source rewrites: copies preprocessor lines and string and
 * character literals as they are, and hands each run of code between them to
 * `onCode(out, begin, end)`, which appends its rewrite of [begin, end) to `out`
 * and returns where the scan goes on (end, or past it when a token ran on).
 */
template <class F>
std::string forEachCode(const std::string& s, F onCode) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  size_t i = 0;
  while (i < s.size()) {
    if ((i == 0 || s[i - 1] == '\n') && markerLineAt(s, i)) {
      size_t eol = s.find('\n', i);
      eol = eol == std::string::npos ? s.size() : eol + 1;
      out.append(s, i, eol - i);
      i = eol;
      continue;
    }
    char c = s[i];
    if (c == '"' || c == '\'') {
      size_t j = i + 1;
      while (j < s.size() && s[j] != c) j += s[j] == '\\' ? 2 : 1;
      out.append(s, i, std::min(j + 1, s.size()) - i);
      i = j + 1;
      continue;
    }
    size_t end = i + 1;
    while (end < s.size() && s[end] != '"' && s[end] != '\'' && !(s[end - 1] == '\n' && markerLineAt(s, end))) end++;
    i = std::max(onCode(out, i, end), end);
  }
  return out;
}

/** `1.5h` -> `((half)1.5)` and `0.1` -> `0.1f` (MSL's literals) outside string literals and preprocessor lines. */
std::string rewriteLiterals(const std::string& s) {
  return forEachCode(s, [&s](std::string& out, size_t i, size_t end) {
    while (i < end) {
      char c = s[i];
      bool startsNumber = std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])));
      if (startsNumber && (i == 0 || (!identChar(s[i - 1]) && s[i - 1] != '.'))) {
        size_t j = i;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) j++;
        if (j < s.size() && s[j] == '.') { j++; while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) j++; }
        if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
          size_t k = j + 1;
          if (k < s.size() && (s[k] == '+' || s[k] == '-')) k++;
          if (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
            j = k;
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) j++;
          }
        }
        if (j < s.size() && (s[j] == 'h' || s[j] == 'H') && (j + 1 >= s.size() || !identChar(s[j + 1]))) {
          out += "((half)" + s.substr(i, j - i) + ")";
          i = j + 1;
          continue;
        }
        bool floating = s.find_first_of(".eE", i) < j && !(j - i > 1 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'));
        if (floating && (j >= s.size() || !identChar(s[j]))) {
          // MSL has no double: an unsuffixed floating literal is a float
          out.append(s, i, j - i);
          out += 'f';
          i = j;
          continue;
        }
        // copy the whole token (hex digits, suffixes) so its tail is not read as a new number
        while (j < s.size() && (identChar(s[j]) || s[j] == '.')) j++;
        out.append(s, i, j - i);
        i = j;
        continue;
      }
      out += c;
      i++;
    }
    return i;
  });
}

/** `metal::float4(...)` -> `float4(...)`: vector constructors are macros in the shim, which a qualifier would break. */
std::string unqualifyVectorConstructors(const std::string& s) {
  static const char* kTypes[] = {"char", "uchar", "short", "ushort", "int", "uint", "half", "float"};
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s.compare(i, 7, "metal::") == 0 && (i == 0 || !identChar(s[i - 1]))) {
      size_t j = i + 7;
      while (j < s.size() && identChar(s[j])) j++;
      std::string name = s.substr(i + 7, j - i - 7);
      bool vector = false;
      for (const char* t : kTypes) {
        size_t n = std::strlen(t);
        vector |= name.size() == n + 1 && name.compare(0, n, t) == 0 && name[n] >= '2' && name[n] <= '4';
      }
      size_t k = j;
      while (k < s.size() && (s[k] == ' ' || s[k] == '\t')) k++;
      if (vector && k < s.size() && s[k] == '(') {
        i += 7;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

// ---- checked libraries: pointers of every address space become checked pointers ----

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/** Skips spaces, tabs and line breaks (not into a preprocessor line); counts the line breaks. */
size_t skipSpace(const std::string& s, size_t i, int* breaks) {
  while (i < s.size()) {
    if (blank(s[i])) { i++; continue; }
    if (s[i] == '\n') {
      if (markerLineAt(s, i + 1)) return i;
      (*breaks)++;
      i++;
      continue;
    }
    break;
  }
  return i;
}

/** The identifier starting at `i` ("" if none). */
std::string identAt(const std::string& s, size_t i) {
  if (i >= s.size() || !(std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_')) return "";
  size_t j = i;
  while (j < s.size() && identChar(s[j])) j++;
  return s.substr(i, j - i);
}

/** The `>` closing the template argument list opened at `open`, or npos (parentheses may hold comparisons). */
size_t matchingAngle(const std::string& s, size_t open) {
  int depth = 0, parens = 0;
  for (size_t i = open; i < s.size(); i++) {
    char c = s[i];
    if (c == ';' || c == '{' || c == '}') return std::string::npos;
    if (c == '(') parens++;
    else if (c == ')') parens--;
    else if (parens == 0 && c == '<') depth++;
    else if (parens == 0 && c == '>' && --depth == 0) return i;
  }
  return std::string::npos;
}

/**
 * A type name after an address space: `float`, `unsigned int`, `metal::atomic<float>`, `typename T::type`.
 * Returns the index after it (npos when there is none); appends its text, line breaks as spaces, to `type`.
 */
size_t readTypeName(const std::string& s, size_t i, std::string* type, int* breaks) {
  static const char* kMultiword[] = {"unsigned", "signed", "short", "long"};
  size_t j = i;
  std::string word = identAt(s, j);
  if (word == "typename" || word == "struct" || word == "class" || word == "enum") {
    *type += word + " ";
    j = skipSpace(s, j + word.size(), breaks);
  }
  if (s.compare(j, 2, "::") == 0) { *type += "::"; j += 2; }
  for (;;) {
    word = identAt(s, j);
    if (word.empty()) return std::string::npos;
    *type += word;
    j += word.size();
    bool multi = false;
    for (const char* m : kMultiword) multi |= word == m;
    size_t k = skipSpace(s, j, breaks);
    if (multi) {
      std::string next = identAt(s, k);
      if (next == "int" || next == "char" || next == "short" || next == "long") { *type += " "; j = k; continue; }
    }
    if (k < s.size() && s[k] == '<') {
      size_t close = matchingAngle(s, k);
      if (close == std::string::npos) return std::string::npos;
      for (size_t c = k; c <= close; c++) *type += s[c] == '\n' ? ' ' : s[c];
      for (size_t c = k; c <= close; c++) *breaks += s[c] == '\n';
      j = close + 1;
      k = skipSpace(s, j, breaks);
    }
    if (s.compare(k, 2, "::") == 0) { *type += "::"; j = skipSpace(s, k + 2, breaks); continue; }
    return j;
  }
}

/** The address space word at `i` ("" if none). */
std::string addressSpaceAt(const std::string& s, size_t i) {
  for (const char* space : {"device", "constant", "thread", "threadgroup"}) {
    if (wordAt(s, i, space)) return space;
  }
  return "";
}

/**
 * `device T*` -> `::__emu::dptr<T>`, `constant T*` -> `::__emu::dptr<const T, true>`,
 * `thread T*` and `threadgroup T*` -> `::__emu::lptr<T>` (cv-qualifiers before
 * or after the address space kept; references and values untouched). Line
 * breaks inside a rewritten type follow it, so lines stay.
 */
std::string rewriteAddressSpaces(const std::string& s) {
  return forEachCode(s, [&s](std::string& out, size_t i, size_t end) {
    while (i < end) {
      char c = s[i];
      std::string space = addressSpaceAt(s, i);
      if (space.empty()) {
        if (identChar(c)) {
          size_t j = i;
          while (j < s.size() && identChar(s[j])) j++;
          out.append(s, i, j - i);
          i = j;
        } else {
          out += c;
          i++;
        }
        continue;
      }
      // qualifiers written before the address space (`const device float*`) are already in `out`: take them back
      std::string cv;
      for (;;) {
        size_t e = out.size();
        while (e > 0 && blank(out[e - 1])) e--;
        size_t b = e;
        while (b > 0 && identChar(out[b - 1])) b--;
        std::string w = out.substr(b, e - b);
        if (w != "const" && w != "volatile") break;
        cv = w + " " + cv;
        out.erase(b);
      }
      int breaks = 0;
      size_t j = skipSpace(s, i + space.size(), &breaks);
      for (std::string w; (w = identAt(s, j)) == "const" || w == "volatile";) {
        cv += w + " ";
        j = skipSpace(s, j + w.size(), &breaks);
      }
      std::string type;
      size_t typeEnd = readTypeName(s, j, &type, &breaks);
      size_t star = std::string::npos;
      if (typeEnd != std::string::npos) {
        size_t k = skipSpace(s, typeEnd, &breaks);
        for (std::string w; (w = identAt(s, k)) == "const" || w == "volatile";) {
          cv += w + " ";
          k = skipSpace(s, k + w.size(), &breaks);
        }
        if (k < s.size() && s[k] == '*') star = k;
      }
      if (star == std::string::npos) {
        // not a pointer (a reference, a program-scope constant): the shim's macros take the word
        out += cv;
        out += space;
        i += space.size();
        continue;
      }
      // a cast to a checked pointer is a conversion between classes: reinterpret_cast and const_cast cannot do it
      size_t e = out.size();
      while (e > 0 && blank(out[e - 1])) e--;
      if (e > 0 && out[e - 1] == '<') {
        size_t k = e - 1;
        while (k > 0 && blank(out[k - 1])) k--;
        for (const char* cast : {"reinterpret_cast", "const_cast"}) {
          size_t n = std::strlen(cast);
          if (k >= n && out.compare(k - n, n, cast) == 0 && (k == n || !identChar(out[k - n - 1]))) out.replace(k - n, n, "static_cast");
        }
      }
      if (space == "constant") {
        std::string q = cv;
        for (size_t at; (at = q.find("const ")) != std::string::npos;) q.erase(at, 6);
        out += "::__emu::dptr<const " + q + type + ", true>";
      } else {
        out += (space == "device" ? "::__emu::dptr<" : "::__emu::lptr<") + cv + type + ">";
      }
      out.append(size_t(breaks), '\n');
      i = star + 1;
    }
    return i;
  });
}

/** Whether the `&` at `i` is the unary address-of operator (by the token before it). */
bool unaryAmpersand(const std::string& s, size_t i) {
  if (i + 1 < s.size() && (s[i + 1] == '&' || s[i + 1] == '=')) return false;
  if (i > 0 && s[i - 1] == '&') return false;
  size_t k = i;
  while (k > 0 && (blank(s[k - 1]) || s[k - 1] == '\n')) k--;
  if (k == 0) return true;
  char p = s[k - 1];
  if (identChar(p)) {
    size_t b = k;
    while (b > 0 && identChar(s[b - 1])) b--;
    std::string w = s.substr(b, k - b);
    return w == "return" || w == "case";
  }
  return std::strchr("(,=;{}?:!~+-*/%<>|^[", p) != nullptr;
}

/**
 * `&x[i]` -> `::__emu::element_address(x, (i))`, where x is a name with any
 * members and indices (`s.rows[k]`, `p->v`) and the trailing indices all go
 * in (`&m[i][j]` -> `element_address(m, (i), (j))`): of a checked pointer it
 * is that pointer plus i; of an array, a thread or threadgroup pointer
 * bounded by the whole array (emu_checked.h).
 */
std::string rewriteElementAddresses(const std::string& s) {
  // one-character edits (`&`, `[`, `]`), applied from the end; nested ones never overlap
  std::vector<std::pair<size_t, const char*>> edits;
  auto skipBlanks = [&s](size_t j) {
    while (j < s.size() && blank(s[j])) j++;
    return j;
  };
  std::string copy = forEachCode(s, [&](std::string& out, size_t begin, size_t end) {
    out.append(s, begin, end - begin);
    for (size_t i = begin; i < end; i++) {
      if (s[i] != '&' || !unaryAmpersand(s, i)) continue;
      size_t j = skipBlanks(i + 1);
      std::string name = identAt(s, j);
      if (name.empty()) continue;
      // the postfix chain; `brackets` holds the trailing run of indices
      std::vector<std::pair<size_t, size_t>> brackets;
      size_t after = j + name.size();
      for (;;) {
        size_t k = skipBlanks(after);
        size_t member = s.compare(k, 1, ".") == 0 ? k + 1 : s.compare(k, 2, "->") == 0 ? k + 2 : std::string::npos;
        if (member != std::string::npos && !identAt(s, skipBlanks(member)).empty()) {
          size_t m = skipBlanks(member);
          after = m + identAt(s, m).size();
          brackets.clear();
          continue;
        }
        if (k < s.size() && s[k] == '[') {
          size_t close = matching(s, k);
          if (close == std::string::npos) {
            brackets.clear();
            break;
          }
          brackets.push_back({k, close});
          after = close + 1;
          continue;
        }
        after = k;
        break;
      }
      if (brackets.empty()) continue;
      // `&x[i](...)`, `&x[i]++`: the address of something else
      if (after < s.size() && (s[after] == '(' || s.compare(after, 2, "++") == 0 || s.compare(after, 2, "--") == 0)) continue;
      edits.push_back({i, "::__emu::element_address("});
      for (size_t b = 0; b < brackets.size(); b++) {
        edits.push_back({brackets[b].first, b ? "(" : ", ("});
        edits.push_back({brackets[b].second, b + 1 < brackets.size() ? ")," : "))"});
      }
    }
    return end;
  });
  // the scan copied `s` unchanged, so the edits' positions hold in the copy
  std::sort(edits.begin(), edits.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [at, text] : edits) copy.replace(at, 1, text);
  return copy;
}

const char* kCollectives[] = {"threadgroup_barrier", "simdgroup_barrier", "simd_sum", "simd_prod", "simd_max", "simd_min",
                              "simd_and", "simd_or", "simd_xor", "simd_any", "simd_all", "simd_broadcast", "simd_shuffle",
                              "simd_shuffle_down", "simd_shuffle_up", "simd_shuffle_xor", "simd_prefix_exclusive_sum",
                              "simd_prefix_inclusive_sum"};

}  // namespace

std::string launcherSymbol(const std::string& kernel) { return "__emu_launch_" + kernel; }

GeneratedLibrary generateLaunchers(const std::string& src, bool checked) {
  GeneratedLibrary lib;
  struct Body { size_t open, close; };
  std::vector<Body> bodies;

  for (size_t i = 0; i < src.size(); i++) {
    if (!wordAt(src, i, "kernel")) continue;
    size_t j = i + 6;
    while (j < src.size() && std::isspace(static_cast<unsigned char>(src[j]))) j++;
    if (!wordAt(src, j, "void")) continue;
    j += 4;
    while (j < src.size() && std::isspace(static_cast<unsigned char>(src[j]))) j++;
    size_t nameStart = j;
    while (j < src.size() && identChar(src[j])) j++;
    KernelInfo k;
    k.name = src.substr(nameStart, j - nameStart);
    while (j < src.size() && std::isspace(static_cast<unsigned char>(src[j]))) j++;
    if (k.name.empty() || j >= src.size() || src[j] != '(') {
      lib.error = whereIs(src, i) + ": cannot read the kernel declared here (expected `kernel void name(...)`)";
      return lib;
    }
    size_t close = matching(src, j);
    if (close == std::string::npos) { lib.error = whereIs(src, i) + ": unbalanced parentheses in kernel '" + k.name + "'"; return lib; }
    for (const std::string& part : splitTopLevel(src.substr(j + 1, close - j - 1))) {
      KernelParam p;
      std::string err = parseParam(part, p);
      if (!err.empty()) { lib.error = whereIs(src, i) + ": kernel '" + k.name + "': " + err; return lib; }
      k.params.push_back(p);
    }
    size_t open = src.find('{', close);
    size_t end = open == std::string::npos ? open : matching(src, open);
    if (end == std::string::npos) { lib.error = whereIs(src, i) + ": kernel '" + k.name + "' has no body"; return lib; }
    bodies.push_back({open, end});
    lib.kernels.push_back(k);
    i = close;
  }

  // threadgroup declarations: in kernel bodies they become per-threadgroup memory
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < src.size(); i++) {
    if (!wordAt(src, i, "threadgroup")) continue;
    char prev = prevSignificant(src, i);
    if (prev != ';' && prev != '{' && prev != '}') continue;
    size_t semi = src.find(';', i);
    if (semi == std::string::npos) continue;
    std::string decl = src.substr(i + 11, semi - i - 11);
    // pointers and references to threadgroup memory stay (the word is erased); array sizes may hold any expression
    std::string declarator = decl.substr(0, decl.find('['));
    if (declarator.find_first_of("*&(") != std::string::npos) continue;
    if (decl.find('=') != std::string::npos) { lib.error = whereIs(src, i) + ": threadgroup variables cannot have initializers"; return lib; }
    bool inKernel = false;
    for (const Body& b : bodies) inKernel |= i > b.open && i < b.close;
    if (!inKernel) { lib.error = whereIs(src, i) + ": threadgroup variables must be declared in a kernel body"; return lib; }
    if (decl.find(',') != std::string::npos || decl.find('\n') != std::string::npos) {
      lib.error = whereIs(src, i) + ": declare one threadgroup variable per line";
      return lib;
    }
    size_t bracket = decl.find('[');
    std::string head = trim(decl.substr(0, bracket)), dims = bracket == std::string::npos ? "" : trim(decl.substr(bracket));
    size_t n = head.size();
    while (n > 0 && identChar(head[n - 1])) n--;
    std::string name = head.substr(n), type = trim(head.substr(0, n));
    if (name.empty() || type.empty()) { lib.error = whereIs(src, i) + ": cannot read the threadgroup declaration"; return lib; }
    out.append(src, copied, i - copied);
    out += type + " (&" + name + ")" + dims + " = *reinterpret_cast<" + type + " (*)" + dims + ">(::__emu::" + (checked ? "tg_alloc_sized" : "tg_alloc") + "(sizeof(" + type + dims + ")))";
    copied = semi;
    i = semi;
  }
  out.append(src, copied, std::string::npos);
  lib.source = unqualifyVectorConstructors(rewriteLiterals(out));
  if (checked) lib.source = rewriteElementAddresses(rewriteAddressSpaces(lib.source));

  for (const char* name : kCollectives) {
    size_t at = 0;
    while ((at = lib.source.find(name, at)) != std::string::npos) {
      if (wordAt(lib.source, at, name)) { lib.needsFibers = true; break; }
      at++;
    }
    if (lib.needsFibers) break;
  }

  std::ostringstream launch;
  launch << "\n# 1 \"<emu launchers>\"\n";
  for (const KernelInfo& k : lib.kernels) {
    launch << "extern \"C\" void " << launcherSymbol(k.name) << "(void* const* __b, ::__emu::Lane* __l) {\n"
           << "  ::__emu::current = __l;\n  " << k.name << "(";
    for (size_t p = 0; p < k.params.size(); p++) launch << (p ? ", " : "") << argument(k.params[p], checked);
    launch << ");\n}\n";
  }
  lib.source += launch.str();
  return lib;
}

}  // namespace mlxts::emu
