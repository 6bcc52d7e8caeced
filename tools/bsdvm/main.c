#include <stdio.h>
#include <bsdvm/bsdvm.h>
int main(void) { printf("bsdvm %s\n", bsdvm_version_string()); return 0; }
