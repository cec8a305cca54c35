/* vision.c - the vision guide's tile and patch rules (see vision.h).
 *
 * Sizes are kept in integers: each scaling step is a ratio applied with
 * integer division (whole pixels, rounded down), so the guide's boundaries
 * (1024 -> 768, 2048 -> 4 tiles) are never missed by floating-point noise. */
#include <math.h>
#include <string.h>

#include "vision.h"

static long ceil_div(long a, long b)
{
    return (a + b - 1) / b;
}

static int tile_needs_size(enum image_detail detail)
{
    return detail != DETAIL_LOW;
}

/* Scale (w, h) down so that the side `side` (the longer or the shorter)
 * is at most `limit`. */
static void scale_down(long *w, long *h, long side, long limit)
{
    if (side <= limit)
        return;
    *w = *w * limit / side;
    *h = *h * limit / side;
}

static long tile_tokens(const image_format *f, long w, long h, enum image_detail detail, const char **caveat)
{
    *caveat = detail == DETAIL_AUTO ? "detail \"auto\" lets the model choose low or high from the image size by a rule "
                                      "the vision guide does not publish; counted as high, the larger"
                                    : "";
    if (detail == DETAIL_LOW)
        return f->base;
    scale_down(&w, &h, w > h ? w : h, 2048);
    scale_down(&w, &h, w < h ? w : h, 768);
    if (w < 1)
        w = 1;
    if (h < 1)
        h = 1;
    return f->base + f->tile * ceil_div(w, 512) * ceil_div(h, 512);
}

static int patch_needs_size(enum image_detail detail)
{
    (void)detail;
    return 1;
}

/* Patches after the guide's shrink: the factor sqrt(32^2 * budget / (w*h)),
 * reduced so the side that loses most still holds whole patches. The
 * limiting side becomes 32 * floor(side * factor / 32) pixels exactly; the
 * other follows by the aspect ratio. A side keeps at least one patch (an
 * extreme aspect ratio would otherwise shrink to nothing); the caller caps
 * the result at the budget. */
static long patches_after_shrink(long w, long h, long budget)
{
    double factor = sqrt(32.0 * 32.0 * (double)budget / ((double)w * (double)h));
    double fw = (double)w * factor / 32, fh = (double)h * factor / 32;
    long pw = fw < 1 ? 1 : (long)floor(fw), ph = fh < 1 ? 1 : (long)floor(fh);
    long rw, rh;
    if (pw / fw <= ph / fh) {
        rw = 32 * pw;
        rh = h * rw / w;
    } else {
        rh = 32 * ph;
        rw = w * rh / h;
    }
    return ceil_div(rw > 0 ? rw : 1, 32) * ceil_div(rh > 0 ? rh : 1, 32);
}

static long patch_tokens(const image_format *f, long w, long h, enum image_detail detail, const char **caveat)
{
    (void)detail;
    long patches = ceil_div(w, 32) * ceil_div(h, 32);
    if (patches > f->budget)
        patches = patches_after_shrink(w, h, f->budget);
    if (patches > f->budget)
        patches = f->budget;
    double tokens = (double)patches * f->multiplier;
    long whole = (long)ceil(tokens - 1e-9);
    *caveat = fabs(tokens - nearbyint(tokens)) > 1e-9
                  ? "the vision guide does not say how patches times the model's multiplier is rounded; rounded up"
                  : "";
    return whole;
}

static const image_rule rules[] = {
    {"tile", tile_needs_size, tile_tokens},
    {"patch", patch_needs_size, patch_tokens},
};

const image_rule *vision_rule(const char *name)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (!strcmp(rules[i].name, name))
            return &rules[i];
    return NULL;
}

int vision_detail(const char *name, enum image_detail *detail)
{
    static const char *const names[] = {"auto", "low", "high"};
    if (!name) {
        *detail = DETAIL_AUTO;
        return 0;
    }
    for (int i = 0; i < 3; i++)
        if (!strcmp(names[i], name)) {
            *detail = (enum image_detail)i;
            return 0;
        }
    return -1;
}
