/* fuzz_template.c - the chat-template interpreter on hostile templates: any
 * input is compiled and, when it compiles, rendered over a small
 * conversation under tight bounds. Nothing may crash, leak, hang or pass
 * the output bound; a failed render must say why. */
#include <stdlib.h>
#include <string.h>

#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *vars(void)
{
    static json_t *v;
    if (!v)
        v = json_loads("{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", "
                       "\"content\": \"Hi \\u00e9\"}, {\"role\": \"assistant\", \"content\": null, \"tool_calls\": "
                       "[{\"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": {\"a\": 1}}}]}], "
                       "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], "
                       "\"add_generation_prompt\": true, \"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}",
                       0, NULL);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const tokd_template_limits lim = {1 << 16, 20000, 16, 1000};
    tokd_template *t = NULL;
    tokd_template_error e = {0};
    if (tokd_template_compile((const char *)data, size, &t, &e) != 0) {
        if (!e.text[0] || t)
            abort();
        return 0;
    }
    tokd_bytes out = {0};
    int rc = tokd_template_render(t, vars(), &lim, &out, &e);
    if ((rc != 0 && !e.text[0]) || out.len > lim.max_output)
        abort();
    tokd_bytes_release(&out);
    tokd_template_free(t);
    return 0;
}
