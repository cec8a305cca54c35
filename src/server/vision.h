/* vision.h - image tokens by the rules of OpenAI's vision guide
 * ("Images and vision", Calculating costs).
 *
 * Two rules, one interface:
 * - tile: detail "low" costs `base`; "high" fits the image in 2048x2048,
 *   scales its shortest side down to 768, and costs base + tile per 512 px
 *   tile that covers it.
 * - patch: the image is covered by 32 px patches; above `budget` patches it
 *   is scaled down (keeping its aspect ratio, whole patches) to fit the
 *   budget; the patch count (at most `budget`) times the model's multiplier.
 * Scaled sizes are whole pixels (rounded down), as a resized image is.
 *
 * Thread-safety: pure functions over read-only tables. */
#ifndef TOKD_SERVER_VISION_H
#define TOKD_SERVER_VISION_H

#include "models.h"

enum image_detail { DETAIL_AUTO = 0, DETAIL_LOW, DETAIL_HIGH };

typedef struct image_rule {
    const char *name;
    /* 1 if the rule needs the image's size for this detail. */
    int (*needs_size)(enum image_detail detail);
    /* Tokens of a w x h image (w, h > 0 when needs_size). *caveat (never
     * NULL on return) is "" when the guide defines the answer exactly, else
     * a sentence saying what was assumed. */
    long (*tokens)(const image_format *f, long w, long h, enum image_detail detail, const char **caveat);
} image_rule;

/* The rule called `name` ("tile", "patch"), or NULL. */
const image_rule *vision_rule(const char *name);

/* "low", "high", "auto" (or NULL: auto) into *detail; -1 if none of them. */
int vision_detail(const char *name, enum image_detail *detail);

#endif
