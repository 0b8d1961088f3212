// Stands in for <simd/simd.h> (which naga-generated MSL includes) while the launcher generator preprocesses a library; the shim defines the vector types.
