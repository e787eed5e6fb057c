/* Unrelated code linked in front of a sample's own, so that the second build of the sample has
 * its functions at other addresses (tests/analysis: signatures must not depend on layout). */
#include <string.h>

int layout_padding_checksum(const char *text)
{
    int sum = 0;
    for (size_t i = 0; i < strlen(text); ++i)
        sum = sum * 31 + text[i];
    return sum;
}

int layout_padding_table(int i)
{
    static const int table[64] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};
    switch (i & 7) {
    case 0: return table[i & 63] * 2;
    case 1: return table[(i * 3) & 63] + 7;
    case 2: return table[(i * 5) & 63] - 1;
    case 3: return layout_padding_checksum("padding") + i;
    default: return i;
    }
}
