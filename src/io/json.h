// A small JSON reader and writer for safetensors headers: objects (keys kept in file order,
// duplicates rejected), arrays, strings (escapes and UTF-8 checked), integers kept as their text,
// true/false/null. Not a general JSON library: no floating-point conversion, nesting capped.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eta::io::json {

struct Member;

struct Value {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;  // a String's decoded contents, or a Number's literal as written
  std::vector<Value> items;                             // Array
  std::vector<Member> members;                          // Object, in file order (a vector of an
                                                        // incomplete type is allowed since C++17)

  bool is_object() const { return kind == Kind::Object; }
  bool is_array() const { return kind == Kind::Array; }
  bool is_string() const { return kind == Kind::String; }
  bool is_number() const { return kind == Kind::Number; }
  // A Number that is an integer literal within int64 (no fraction, no exponent); false otherwise.
  bool as_int64(int64_t& out) const;
};

struct Member {
  std::string key;
  Value value;
};

const char* kind_name(Value::Kind kind);

// Parses one JSON value filling all of `text` (surrounding whitespace allowed). Throws eta::Error
// "<context>: invalid JSON at byte <k>: <what>"; nesting deeper than 64 levels is refused (the
// parser recurses, and a hostile file must not exhaust the stack).
Value parse(std::string_view text, const std::string& context);

// Appends `s` as a JSON string literal (quotes, escapes for '"', '\\' and control characters).
void append_quoted(std::string& out, std::string_view s);

}  // namespace eta::io::json
