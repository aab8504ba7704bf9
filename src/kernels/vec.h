// Fixed-width SIMD vectors through GCC's vector extensions: portable C++ that compiles to
// whatever the target has (AVX-512 masks, AVX2, SSE, NEON), for loops the auto-vectoriser will
// not touch (strided loads, selects on masks, register-blocked kernels).
// Vec<T, Bytes> holds kLanes<T, Bytes> elements; Mask<T, Bytes> is the
// matching integer vector that comparisons return (all ones = true).
#pragma once
#include <cstdint>
#include <cstring>

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

// Shuffle masks: {0, 2, 4, ...} picks the even elements of the pair (lo, hi), {1, 3, ...} the odd.
template <class T, int Bytes>
inline Mask<T, Bytes> stride_two_mask(int first) {
  Mask<T, Bytes> m;
  for (int i = 0; i < kLanes<T, Bytes>; ++i) m[i] = 2 * i + first;
  return m;
}

// Elements 2i + first of the 2 * kLanes values starting at p.
template <class T, int Bytes = 32>
inline Vec<T, Bytes> load_strided2(const T* p, int first) {
  return __builtin_shuffle(load<T, Bytes>(p), load<T, Bytes>(p + kLanes<T, Bytes>), stride_two_mask<T, Bytes>(first));
}

// Stores even[0], odd[0], even[1], odd[1], ... (2 * kLanes values) at p.
template <class T, int Bytes = 32>
inline void store_interleaved(T* p, Vec<T, Bytes> even, Vec<T, Bytes> odd) {
  constexpr int L = kLanes<T, Bytes>;
  Mask<T, Bytes> lo, hi;
  for (int i = 0; i < L; ++i) {
    const int j = i / 2 + (i % 2) * L;  // alternate between the two sources
    lo[i] = j;
    hi[i] = j + L / 2;
  }
  store(p, __builtin_shuffle(even, odd, lo));
  store(p + L, __builtin_shuffle(even, odd, hi));
}

}  // namespace eta::kernels
