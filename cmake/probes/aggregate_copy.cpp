// Configure-time probe (cmake/NativeFlags.cmake): GCC 12 with -march=native on CPUs it tunes as
// icelake-server or rocketlake (as some virtual Xeons are reported) stores the wrong constant when it
// copies a small aggregate with vector moves: Options{} arrives with padding 1. Exit status 0 means
// this compiler and these flags build it correctly.
#include <array>
#include <cstdint>
#include <cstdio>
struct Options {
  std::array<int64_t, 2> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
  bool bias = true;
};
struct Layer {
  Options options;
  __attribute__((noinline)) explicit Layer(Options o) : options(o) {}
};
__attribute__((noinline)) int64_t padding_of(const Layer& l) { return l.options.padding[0]; }
int main() {
  Options pad2;
  pad2.padding = {2, 2};
  Layer a(pad2);
  Layer b(Options{});
  std::printf("%ld %ld\n", (long)padding_of(a), (long)padding_of(b));
  return padding_of(a) == 2 && padding_of(b) == 0 ? 0 : 1;
}
