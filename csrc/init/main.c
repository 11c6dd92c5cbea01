/* tsrunc-init: the container-side helper (see ARCHITECTURE.md). */
int main(void) { return 1; }
