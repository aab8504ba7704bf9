// eta::version(): the version string compiled into the library (see eta/version.h).
#include "eta/version.h"

namespace eta {

const char* version() { return ETA_VERSION_STRING; }

}  // namespace eta
