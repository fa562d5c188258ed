/* main.c -- entityd entry point (placeholder until the server lands). */
#include <stdio.h>
int main(void) { puts("entityd"); return 0; }
