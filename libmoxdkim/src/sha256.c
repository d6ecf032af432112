/* SPDX-License-Identifier: MIT */
/*
 * sha256.c -- SHA-256 (FIPS 180-4) on the x86 SHA extensions, used
 * instead of mbedTLS's portable code when the CPU has them: hashing the
 * body is most of the work of signing and verifying a large message, and
 * the instructions are several times faster. Other CPUs use mbedTLS
 * (canon.c).
 */
#include <pthread.h>
#include <string.h>

#include "dkim-int.h"

#if DKIM_HAVE_SHA_NI

#include <cpuid.h>
#include <immintrin.h>

static pthread_once_t ni_once = PTHREAD_ONCE_INIT;
static bool ni_ok;

static void
ni_detect(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return;
	/* SSSE3 (pshufb) and SSE4.1 (pblendw). */
	if (!(c & (1u << 9)) || !(c & (1u << 19)))
		return;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return;
	ni_ok = (b & (1u << 29)) != 0;
}

bool
dkim_sha256_ni_available(void)
{
	if (pthread_once(&ni_once, ni_detect) != 0)
		return false;
	return ni_ok;
}

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

__attribute__((target("sha,ssse3,sse4.1"))) static void
blocks(uint32_t st[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
	    0x0405060700010203ULL);
	__m128i s0, s1, t, w[4], abef, cdgh, m;
	int g;

	/* The instructions keep the state as ABEF and CDGH. */
	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[0]), 0xb1);
	s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[4]), 0x1b);
	s0 = _mm_alignr_epi8(t, s1, 8);
	s1 = _mm_blend_epi16(s1, t, 0xf0);
	for (; n > 0; n--, p += 64) {
		abef = s0;
		cdgh = s1;
#pragma GCC unroll 16
		for (g = 0; g < 16; g++) {
			__m128i x;

			if (g < 4) {
				x = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(p + 16 * g)), bswap);
			} else {
				/* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) +
				 * W[t-16], four at a time. */
				x = _mm_sha256msg1_epu32(w[(g - 4) & 3],
				    w[(g - 3) & 3]);
				x = _mm_add_epi32(x, _mm_alignr_epi8(
				    w[(g - 1) & 3], w[(g - 2) & 3], 4));
				x = _mm_sha256msg2_epu32(x, w[(g - 1) & 3]);
			}
			w[g & 3] = x;
			m = _mm_add_epi32(x,
			    _mm_loadu_si128((const __m128i *)&K[4 * g]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, m);
			m = _mm_shuffle_epi32(m, 0x0e);
			s0 = _mm_sha256rnds2_epu32(s0, s1, m);
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	t = _mm_shuffle_epi32(s0, 0x1b);
	s1 = _mm_shuffle_epi32(s1, 0xb1);
	s0 = _mm_blend_epi16(t, s1, 0xf0);
	s1 = _mm_alignr_epi8(s1, t, 8);
	_mm_storeu_si128((__m128i *)&st[0], s0);
	_mm_storeu_si128((__m128i *)&st[4], s1);
}

void
dkim_sha256_ni_init(struct dkim_sha256_ni *c)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
		0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(c->st, iv, sizeof(iv));
	c->total = 0;
	c->n = 0;
}

void
dkim_sha256_ni_update(struct dkim_sha256_ni *c, const uint8_t *p, size_t len)
{
	c->total += len;
	if (c->n > 0) {
		size_t k = 64 - c->n < len ? 64 - c->n : len;

		memcpy(c->buf + c->n, p, k);
		c->n += k;
		p += k;
		len -= k;
		if (c->n < 64)
			return;
		blocks(c->st, c->buf, 1);
		c->n = 0;
	}
	if (len >= 64) {
		blocks(c->st, p, len / 64);
		p += len / 64 * 64;
		len %= 64;
	}
	if (len > 0) {
		memcpy(c->buf, p, len);
		c->n = len;
	}
}

void
dkim_sha256_ni_final(struct dkim_sha256_ni *c, uint8_t out[32])
{
	uint64_t bits = c->total * 8;
	int i;

	c->buf[c->n++] = 0x80;
	if (c->n > 56) {
		memset(c->buf + c->n, 0, 64 - c->n);
		blocks(c->st, c->buf, 1);
		c->n = 0;
	}
	memset(c->buf + c->n, 0, 56 - c->n);
	for (i = 0; i < 8; i++)
		c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	blocks(c->st, c->buf, 1);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->st[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->st[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->st[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->st[i];
	}
}

#else

bool
dkim_sha256_ni_available(void)
{
	return false;
}

#endif
