/* floatfmt.c - float32 values as JSON numbers, fast.
 *
 * 9 significant digits (FLT_DECIMAL_DIG) always read back as the same
 * float32; the digits come from one double multiplication and a rounding,
 * which is exact enough because 9-digit decimals are ~6x denser than
 * floats (tests/unit/test_floatfmt.c reads back a million random values and every power of two). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "floatfmt.h"

static double powers[121]; /* 10^k for k in [-60, 60], filled once */
static pthread_once_t powers_once = PTHREAD_ONCE_INIT;

static void fill_powers(void)
{
    for (int i = 0; i <= 120; i++)
        powers[i] = pow(10.0, i - 60);
}

static double pow10_of(int k)
{
    pthread_once(&powers_once, fill_powers);
    return powers[k + 60];
}

/* A finite nonzero float as 9 significant digits: d.dddddddd[e+-x], or
 * plain notation for exponents -5..8, trailing zeros dropped. Any 9-digit
 * decimal this close to f reads back as f (float spacing is 2^-24
 * relative, 9 digits 10^-8), so double arithmetic is exact enough. */
static size_t put_digits(char *out, double a, int neg)
{
    int e = (int)floor(log10(a));
    long long m = llround(a * pow10_of(8 - e));
    if (m >= 1000000000LL)
        m = llround(a * pow10_of(7 - ++e));
    else if (m < 100000000LL)
        m = llround(a * pow10_of(8 - --e));
    char d[10];
    int nd = 9;
    for (int i = 8; i >= 0; i--, m /= 10)
        d[i] = (char)('0' + m % 10);
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    size_t n = 0;
    if (neg)
        out[n++] = '-';
    if (e < -5 || e > 8) {
        out[n++] = d[0];
        out[n++] = '.';
        for (int i = 1; i < (nd > 1 ? nd : 2); i++)
            out[n++] = i < nd ? d[i] : '0';
        return n + (size_t)sprintf(out + n, "e%d", e);
    }
    if (e < 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = -1; i > e; i--)
            out[n++] = '0';
        memcpy(out + n, d, (size_t)nd);
        return n + (size_t)nd;
    }
    for (int i = 0; i <= e; i++)
        out[n++] = i < nd ? d[i] : '0';
    out[n++] = '.';
    if (nd <= e + 1)
        out[n++] = '0';
    for (int i = e + 1; i < nd; i++)
        out[n++] = d[i];
    return n;
}

size_t floatfmt(char *out, float f)
{
    if (isnan(f))
        return (size_t)sprintf(out, "\"NaN\"");
    if (isinf(f))
        return (size_t)sprintf(out, f > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    if (f == 0)
        return (size_t)sprintf(out, signbit(f) ? "-0.0" : "0.0");
    return put_digits(out, fabs((double)f), f < 0);
}

