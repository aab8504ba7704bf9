// Fixed-width SIMD vectors through the GCC vector extensions (clang implements them too): portable
// C++ that compiles to whatever the target has (AVX-512 masks, AVX2, SSE, NEON), for loops the auto-vectoriser will
// not touch (strided loads, selects on masks, register-blocked kernels).
// Vec<T, Bytes> holds kLanes<T, Bytes> elements; Mask<T, Bytes> is the
// matching integer vector that comparisons return (all ones = true).
#pragma once
#include <cstdint>
#include <cstring>
#include <utility>

namespace eta::kernels {

template <class T, int Bytes>
struct VecTraits;
template <int Bytes>
struct VecTraits<float, Bytes> {
  typedef float vec __attribute__((vector_size(Bytes)));
  typedef int32_t mask __attribute__((vector_size(Bytes)));
};
template <int Bytes>
struct VecTraits<double, Bytes> {
  typedef double vec __attribute__((vector_size(Bytes)));
  typedef int64_t mask __attribute__((vector_size(Bytes)));
};

template <class T, int Bytes = 32>
using Vec = typename VecTraits<T, Bytes>::vec;
template <class T, int Bytes = 32>
using Mask = typename VecTraits<T, Bytes>::mask;
template <class T, int Bytes = 32>
inline constexpr int kLanes = Bytes / static_cast<int>(sizeof(T));

// The widest vector the target computes in natively (64 bytes with AVX-512, 32 with AVX, else
// 16), and the one for short rows (32 bytes with AVX, else 16). Wider-than-native vectors would
// work too, split by the compiler, but pass through functions with a different ABI.
#if defined(__AVX512F__)
inline constexpr int kWideBytes = 64;
#elif defined(__AVX__)
inline constexpr int kWideBytes = 32;
#else
inline constexpr int kWideBytes = 16;
#endif
#if defined(__AVX__)
inline constexpr int kRowBytes = 32;
#else
inline constexpr int kRowBytes = 16;
#endif

template <class T, int Bytes = 32>
inline Vec<T, Bytes> load(const T* p) {
  Vec<T, Bytes> v;
  std::memcpy(&v, p, sizeof v);  // an unaligned vector load
  return v;
}

template <class T, class VecT>  // VecT: any Vec<T, Bytes> (an alias member cannot be deduced)
inline void store(T* p, VecT v) {
  static_assert(sizeof(VecT) % sizeof(T) == 0, "store: not a vector of T");
  std::memcpy(p, &v, sizeof v);
}

// Shuffles take their lane indices as compile-time packs: __builtin_shufflevector, which GCC (12+)
// and clang both provide, folds them into the same permute instructions GCC's vector-mask
// __builtin_shuffle gave (that one is GCC-only). Lane i of the result is lane idx[i] of the pair
// (a, b), with b's lanes numbered from kLanes.
template <class V, int... Idx>
inline V shuffle2(V a, V b, std::integer_sequence<int, Idx...>) {
  return __builtin_shufflevector(a, b, Idx...);
}

// Lane i of a strided-by-two pick: 2i + First.
template <int First, int... I>
constexpr std::integer_sequence<int, (2 * I + First)...> stride_two(std::integer_sequence<int, I...>) {
  return {};
}

// Lane i of the first (Half = 0) or second (Half = 1) half of interleave(even, odd): alternates
// between the two sources, i / 2 + (i % 2) * L, shifted by L / 2 for the second half.
template <int L, int Half, int... I>
constexpr std::integer_sequence<int, (I / 2 + (I % 2) * L + Half * (L / 2))...> interleave_half(
    std::integer_sequence<int, I...>) {
  return {};
}

// Elements 2i + First (First = 0: the even ones, 1: the odd ones) of the 2 * kLanes values
// starting at p.
template <class T, int Bytes, int First>
inline Vec<T, Bytes> load_strided2(const T* p) {
  static_assert(First == 0 || First == 1, "load_strided2: First is 0 (even elements) or 1 (odd)");
  constexpr auto lanes = std::make_integer_sequence<int, kLanes<T, Bytes>>{};
  return shuffle2(load<T, Bytes>(p), load<T, Bytes>(p + kLanes<T, Bytes>), stride_two<First>(lanes));
}

// Stores even[0], odd[0], even[1], odd[1], ... (2 * kLanes values) at p.
template <class T, int Bytes = 32>
inline void store_interleaved(T* p, Vec<T, Bytes> even, Vec<T, Bytes> odd) {
  constexpr int L = kLanes<T, Bytes>;
  constexpr auto lanes = std::make_integer_sequence<int, L>{};
  store(p, shuffle2(even, odd, interleave_half<L, 0>(lanes)));
  store(p + L, shuffle2(even, odd, interleave_half<L, 1>(lanes)));
}

}  // namespace eta::kernels
