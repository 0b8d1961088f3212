// Stub of Apple's <objc/message.h> for the Linux type check: objc_msgSend has
// no prototype (as with OBJC_OLD_DISPATCH_PROTOTYPES=0), so every call must be
// cast to its real signature. Never linked.
#pragma once
#include <objc/runtime.h>
#ifdef __cplusplus
extern "C" {
#endif
void objc_msgSend(void);
#ifdef __cplusplus
}
#endif
