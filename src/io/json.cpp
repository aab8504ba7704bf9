// Recursive-descent JSON parser (RFC 8259 grammar) with a depth cap, and string quoting for the
// writer. Numbers keep their literal text: safetensors needs only integers, and converting them
// exactly (with overflow detection) is as_int64's job.
#include "io/json.h"

#include <cstdio>

#include "eta/error.h"

namespace eta::io::json {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view text, const std::string& context) : s_(text), ctx_(context) {}

  Value parse_document() {
    skip_ws();
    Value v = parse_value(0);
    skip_ws();
    if (i_ != s_.size()) fail("unexpected text after the end of the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    detail::throw_error(ctx_, ": invalid JSON at byte ", i_, ": ", what);
  }
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[i_]; }
  void skip_ws() {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  void expect(char c, const char* what) {
    if (at_end()) fail(std::string("the text ends where ") + what + " was expected");
    if (s_[i_] != c) fail(std::string("expected ") + what);
    ++i_;
  }
  void literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) fail("unknown literal (expected a value)");
    i_ += word.size();
  }

  Value parse_value(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than 64 levels");
    if (at_end()) fail("the text ends where a value was expected");
    Value v;
    switch (s_[i_]) {
      case '{': parse_object(v, depth); break;
      case '[': parse_array(v, depth); break;
      case '"':
        v.kind = Value::Kind::String;
        v.text = parse_string();
        break;
      case 't': literal("true"); v.kind = Value::Kind::Bool; v.boolean = true; break;
      case 'f': literal("false"); v.kind = Value::Kind::Bool; break;
      case 'n': literal("null"); break;
      default:
        if (s_[i_] == '-' || (s_[i_] >= '0' && s_[i_] <= '9')) {
          v.kind = Value::Kind::Number;
          v.text = parse_number();
        } else {
          fail("unexpected character (expected a value)");
        }
    }
    return v;
  }

  // The frame objects and arrays share: the opening bracket, then items separated by ',' up to
  // `close`; `item` parses one item.
  template <class Item>
  void parse_sequence(char close, const char* expected, const Item& item) {
    ++i_;
    skip_ws();
    if (peek() == close) {
      ++i_;
      return;
    }
    while (true) {
      skip_ws();
      item();
      skip_ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      expect(close, expected);
      return;
    }
  }

  void parse_object(Value& v, int depth) {
    v.kind = Value::Kind::Object;
    parse_sequence('}', "',' or '}' in an object", [&] {
      if (peek() != '"') fail(at_end() ? "the text ends inside an object" : "expected a string key");
      const size_t key_at = i_;
      std::string key = parse_string();
      for (const auto& m : v.members)
        if (m.key == key) {
          i_ = key_at;
          fail("duplicate key \"" + key + "\"");
        }
      skip_ws();
      expect(':', "':' after a key");
      skip_ws();
      v.members.push_back(Member{std::move(key), parse_value(depth + 1)});
    });
  }

  void parse_array(Value& v, int depth) {
    v.kind = Value::Kind::Array;
    parse_sequence(']', "',' or ']' in an array", [&] { v.items.push_back(parse_value(depth + 1)); });
  }

  std::string parse_number() {
    const size_t start = i_;
    if (peek() == '-') ++i_;
    if (peek() == '0') {
      ++i_;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') ++i_;
    } else {
      fail("a number needs digits");
    }
    if (peek() == '.') {
      ++i_;
      if (!(peek() >= '0' && peek() <= '9')) fail("a number's fraction needs digits");
      while (peek() >= '0' && peek() <= '9') ++i_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++i_;
      if (peek() == '+' || peek() == '-') ++i_;
      if (!(peek() >= '0' && peek() <= '9')) fail("a number's exponent needs digits");
      while (peek() >= '0' && peek() <= '9') ++i_;
    }
    return std::string(s_.substr(start, i_ - start));
  }

  uint32_t hex4() {
    if (s_.size() - i_ < 4) fail("truncated \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else fail("bad hex digit in a \\u escape");
    }
    return v;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // Length of the valid UTF-8 sequence starting at i_ (lead byte >= 0x80), or 0 if invalid:
  // overlong forms, surrogates and code points past U+10FFFF are rejected as RFC 3629 requires.
  size_t utf8_length() const {
    const auto b = [&](size_t k) { return i_ + k < s_.size() ? static_cast<uint8_t>(s_[i_ + k]) : uint8_t{0}; };
    const auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
    const uint8_t c = b(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1) || !cont(2)) return 0;
      if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
      if (c == 0xED && b(1) >= 0xA0) return 0;  // UTF-16 surrogate
      return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
      if (c == 0xF4 && b(1) >= 0x90) return 0;  // past U+10FFFF
      return 4;
    }
    return 0;
  }

  std::string parse_string() {
    ++i_;  // opening quote
    std::string out;
    while (true) {
      if (at_end()) fail("the text ends inside a string");
      const auto c = static_cast<uint8_t>(s_[i_]);
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c < 0x20) fail("unescaped control character in a string");
      if (c >= 0x80) {
        const size_t n = utf8_length();
        if (n == 0) fail("invalid UTF-8 in a string");
        out.append(s_.substr(i_, n));
        i_ += n;
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++i_;
        continue;
      }
      ++i_;
      if (at_end()) fail("the text ends inside an escape");
      const char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate in a \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (s_.substr(i_, 2) != "\\u") fail("high surrogate without its low half");
            i_ += 2;
            const uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("high surrogate without its low half");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: --i_; fail("unknown escape in a string");
      }
    }
  }

  std::string_view s_;
  const std::string& ctx_;
  size_t i_ = 0;
};

}  // namespace

bool Value::as_int64(int64_t& out) const {
  if (kind != Kind::Number || text.empty()) return false;
  size_t k = 0;
  const bool negative = text[0] == '-';
  if (negative) k = 1;
  if (k == text.size()) return false;
  // Accumulate as a negative number so that INT64_MIN is representable.
  int64_t v = 0;
  for (; k < text.size(); ++k) {
    const char c = text[k];
    if (c < '0' || c > '9') return false;  // fraction or exponent
    const int d = c - '0';
    if (v < (INT64_MIN + d) / 10) return false;
    v = v * 10 - d;
  }
  if (!negative) {
    if (v == INT64_MIN) return false;
    v = -v;
  }
  out = v;
  return true;
}

const char* kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::Null: return "null";
    case Value::Kind::Bool: return "a boolean";
    case Value::Kind::Number: return "a number";
    case Value::Kind::String: return "a string";
    case Value::Kind::Array: return "an array";
    case Value::Kind::Object: return "an object";
  }
  return "?";
}

Value parse(std::string_view text, const std::string& context) { return Parser(text, context).parse_document(); }

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<uint8_t>(ch);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

}  // namespace eta::io::json
