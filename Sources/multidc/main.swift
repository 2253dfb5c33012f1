import MultiDC
print("multidc")
