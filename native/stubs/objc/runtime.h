// Stub of Apple's <objc/runtime.h> for type-checking MetalDevice on Linux
// (clang-19 -fsyntax-only); declares only what native/src/metal uses, with
// Apple's signatures. Never linked.
#pragma once
#ifdef __cplusplus
extern "C" {
#endif
typedef struct objc_object* id;
typedef struct objc_selector* SEL;
typedef struct objc_class* Class;
SEL sel_registerName(const char* name);
Class objc_lookUpClass(const char* name);
#ifdef __cplusplus
}
#endif
